"""The words the matcher treats specially: legal forms, stop words, generic and place words.

Every list here is about names in general, not about any entity in the data: what official
lists add to a firm's name (legal forms, in English, Russian transliteration and Chinese),
words that many unrelated organisations share (weighed less than a distinctive word such as
"longde"), place words (a Chinese firm's name usually starts with its city) and the short
forms lists use (``Tech``, ``Intl``). Words are in the folded form :mod:`.names` produces:
ASCII, lower case, no punctuation.
"""

from __future__ import annotations

from functools import cache

from graph.ingest.ftm.schemata import ftm_model

__all__ = [
    "ABBREVIATIONS",
    "COMPATIBLE_COUNTRIES",
    "GENERIC_WORDS",
    "HAN_LEGAL_FORMS",
    "HAN_WORDS",
    "LEGAL_ABBREVIATIONS",
    "LEGAL_PHRASES",
    "PERSON_TITLES",
    "STOP_WORDS",
    "STRUCTURE_WORDS",
    "SUFFIXES",
    "place_words",
]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Words without identity of their own: left out of comparisons and of initials. (Not "a" or
#: "an", which are also pinyin syllables: "XI AN" is Xi'an; "v" is the Russian "в", in.)
STOP_WORDS = _words("and at by de del der des di du et for in la le of on the to und van von v")

#: Legal-form abbreviations removed wherever they occur in an organisation's name ("JSC
#: Central Research Institute", "OOO VMK"): none of them is a word of its own.
LEGAL_ABBREVIATIONS = _words(
    """
    ltd llc inc gmbh plc pvt pte bhd sdn ojsc jsc pjsc cjsc oao zao ooo pao tov chup rup fze fzco fzc fzllc
    llp ltda sarl srl spa sas corp co cie ltee kft zrt nyrt dooel doo sro akts
    """
)

#: Legal forms removed only at the start or end of a name, longest first (a multi-word form
#: is a tuple of words): "Open Joint Stock Company Minsk ...", "... Company Limited",
#: "... (Private) Limited". ``Private``, ``Public`` or ``Company`` inside a name stay.
LEGAL_PHRASES: tuple[tuple[str, ...], ...] = tuple(
    sorted(
        {
            tuple(phrase.split())
            for phrase in (
                "open joint stock company",
                "closed joint stock company",
                "public joint stock company",
                "joint stock company",
                "joint stock",
                "limited liability company",
                "limited liability partnership",
                "limited liability",
                "limited partnership",
                "private limited company",
                "public limited company",
                "private limited",
                "public limited",
                "private company",
                "company limited",
                "limited company",
                "sole proprietorship",
                "unitary enterprise",
                "republican unitary enterprise",
                "company",
                "limited",
                "corporation",
                "incorporated",
                "private",
                "ao",
                "ag",
                "ab",
                "as",
                "asa",
                "sa",
                "se",
                "nv",
                "bv",
                "kg",
                "kk",
                "oy",
                "pt",
                "tbk",
                "cv",
                "up",
                "ip",
            )
        },
        key=lambda words: (-len(words), words),
    )
)

#: Short forms lists use for common words: folded to the full word before comparing.
ABBREVIATIONS = {
    "tech": "technology",
    "techn": "technology",
    "technologies": "technology",
    "intl": "international",
    "internat": "international",
    "mfg": "manufacturing",
    "engg": "engineering",
    "eng": "engineering",
    "dev": "development",
    "devt": "development",
    "natl": "national",
    "assn": "association",
    "assoc": "association",
    "mgmt": "management",
    "svcs": "services",
    "svc": "services",
    "bros": "brothers",
    "grp": "group",
    "hldgs": "holdings",
    "ind": "industrial",
    "inds": "industries",
    "sci": "science",
    "univ": "university",
    "inst": "institute",
    "ctr": "center",
    "centre": "center",
    "organisation": "organization",
    "defence": "defense",
}

#: Words many unrelated organisations share: they count for less than a distinctive word
#: (see :data:`graph.xref.names.GENERIC_WEIGHT`), so "Xi'an Longi Technology Development"
#: and "Xi'an Longde Technology Development" differ by what matters.
GENERIC_WORDS = _words(
    """
    academy administration advanced aerospace automobile agency agricultural air america american asia associates
    association authority auto automation automotive aviation bank brothers building bureau business center chemical
    chemicals commerce commercial commission committee communication communications company complex components
    computer concern concerns construction consulting corporation council defense department design development
    devices digital directorate division east economic electric electrical electronic electronics embassy energy
    engineering enterprise enterprises equipment export exports factory federal federation finance financial food
    foods foreign foundation fund general global government hardware health heavy import imports industrial
    industries industry information innovation innovative institute institution instrument instruments integrated
    intelligent international investment investments logistics machine machinery management manufacture
    manufacturing marine material materials medical metal metals mill mining ministry national network new north
    office oil organization overseas pacific parts partners people peoples petroleum pharmaceutical plant power
    precision product production products project projects republic research resource resources science sciences
    scientific security service services shipping smart society software solution solutions south special state
    states steel supplies supply system systems technical technology telecom textile textiles tool tooling tools
    trade traders trading transport union united universal university west works world worldwide
    """
)

#: Group, holding, branch and the like are not generic: with one on one side only, the names
#: are of related but different legal entities (a group and its member, a firm and its branch).
#: Nor are they acronyms when a list prints them in brackets ("... (GROUP)").
STRUCTURE_WORDS = frozenset({"group", "holding", "holdings", "branch", "subsidiary"})

#: Cities and provinces that often open a listed firm's name (country names come from the
#: FtM model): a shared place says little about identity.
_PLACES = """
    anhui beijing changchun changsha changzhou chengdu chongqing dalian dongguan foshan fujian fuzhou gansu guangdong
    guangxi guangzhou guiyang guizhou haikou hainan hangzhou harbin hebei hefei heilongjiang henan hubei hunan jiangsu
    jiangxi jilin jinan kunming lanzhou liaoning macau macao nanchang nanjing nanning ningbo qingdao shaanxi shandong
    shanghai shantou shanxi shenyang shenzhen shijiazhuang sichuan suzhou taiyuan tianjin urumqi wenzhou wuhan wuxi
    xiamen xian xinjiang yunnan zhejiang zhengzhou zhuhai
    moscow petersburg novosibirsk yekaterinburg kazan samara omsk rostov ufa krasnoyarsk perm voronezh volgograd
    minsk gomel brest vitebsk mogilev grodno kyiv kiev kharkiv odesa
    karachi lahore islamabad rawalpindi peshawar quetta faisalabad multan sialkot taxila
    tehran isfahan mashhad shiraz tabriz dubai sharjah ajman abu dhabi istanbul ankara mumbai delhi bangalore chennai
    hong kong hk us usa uk uae prc
"""

#: Words of country names ("Isle of Man", "Heard Island and McDonald Islands") that are not places.
_NOT_PLACES = _words(
    "cape christmas cook cyberspace diego garcia heard helena holy jan lucia man "
    "martin mcdonald nations occupied pierre saint san sar see sint"
)

#: Titles in front of a person's name in lists and press.
PERSON_TITLES = _words("mr mrs ms miss dr prof sir lt gen col maj capt adm brig cdr haji sheikh")

#: Endings cut before comparing two long words, so inflected and plural forms meet
#: ("wheeled" and "wheel", "enterprises" and "enterprise", Russian "zavoda" and "zavod").
SUFFIXES = tuple(
    sorted(_words("s es ies ed ing ers er ogo ego omu emu ykh ikh iy yy aya yaya oye oy ey ei ov ev a u y"),
           key=lambda suffix: (-len(suffix), suffix))
)  # fmt: skip

#: Chinese legal forms, removed before transliteration (simplified and traditional).
HAN_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限責任公司", "有限公司", "责任公司", "責任公司", "公司")

#: Common words of Chinese organisation names, read as the English word lists use, so
#: "湖北...智能装备" can meet "Hubei ... Intelligent Equipment" (the rest is read as pinyin).
HAN_WORDS = {
    "科技": "technology",
    "技术": "technology",
    "技術": "technology",
    "发展": "development",
    "發展": "development",
    "开发": "development",
    "国际": "international",
    "國際": "international",
    "贸易": "trading",
    "貿易": "trading",
    "进出口": "import export",
    "進出口": "import export",
    "智能": "intelligent",
    "装备": "equipment",
    "裝備": "equipment",
    "设备": "equipment",
    "設備": "equipment",
    "复合材料": "composite materials",
    "複合材料": "composite materials",
    "材料": "materials",
    "研究院": "research institute",
    "研究所": "research institute",
    "自动化": "automation",
    "自動化": "automation",
    "机械": "machinery",
    "機械": "machinery",
    "工业": "industry",
    "工業": "industry",
    "电子": "electronics",
    "電子": "electronics",
    "集团": "group",
    "集團": "group",
    "控股": "holding",
    "实业": "industrial",
    "實業": "industrial",
    "工程": "engineering",
    "投资": "investment",
    "投資": "investment",
    "新材料": "new materials",
    "精密": "precision",
    "通用": "general",
    "中国": "china",
    "中國": "china",
    "香港": "hong kong",
}

#: Country codes whose entities are often listed under one another: Chinese firms are
#: commonly registered in Hong Kong or Macau.
COMPATIBLE_COUNTRIES = {"CN": frozenset({"HK", "MO"}), "HK": frozenset({"CN", "MO"}), "MO": frozenset({"CN", "HK"})}


@cache
def place_words() -> frozenset[str]:
    """Country names from the FtM model (folded, word by word) and the cities above."""
    words = set(_PLACES.split())
    for name in ftm_model().countries.values():
        folded = "".join(c if c.isalnum() else " " for c in name.casefold())
        words.update(w for w in folded.split() if len(w) > 2 and w not in STOP_WORDS)
    return frozenset(words - GENERIC_WORDS - _NOT_PLACES)
