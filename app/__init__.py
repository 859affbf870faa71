"""Linkscope's outer layer: the command line, the HTTP API and the browser explorer."""
