"""HTTP routes, one module per resource; each route parses, calls one graph/ function, shapes."""
