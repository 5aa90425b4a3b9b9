"""Who issued a report: one normalisation of the body's name, used wherever two reports
are compared (cross-year pairing, duplicates in a batch) and to tell the body's level
(the publication deadline depends on it).

The same body is written several ways across years and pages: with or without its city
or province (洪泽区人民政府 / 淮安市洪泽区人民政府), with 管委会 or 管理委员会, or by the
place alone when the body reports as a whole (平潭综合实验区). ``body_key`` is the name
normalised as labels are (NFKC, no spaces or punctuation) with one trailing government
word removed (人民政府, 政府, 管理委员会, 管委会, 党工委管委会); ``same_body`` accepts two
keys when they are equal or one ends with the other (a name with its administrative
prefix). A department keeps its own name: 沭阳县发展和改革局 never matches 沭阳县.
"""
from __future__ import annotations

import re

from .template import normalize

_GOVERNMENT_WORD = re.compile(r"(?:党工委)?(?:人民政府|政府|管理委员会|管委会)$")
_GOVERNMENT = re.compile(r"(?:人民政府|政府|管理委员会|管委会|实验区|新区|开发区)$")
_DEPARTMENT = re.compile(r"(?:局|委员会|委|厅|中心|办公室|办|署|院|所|站|队|部|处)$")
_PLACE = re.compile(r"(?:省|自治区|市|州|盟|县|旗|区|镇|乡|街道)$")


def body_key(body: str | None) -> str | None:
    """The body's name as compared (see the module docstring); None when unknown."""
    if not body:
        return None
    key = normalize(body)
    stripped = _GOVERNMENT_WORD.sub("", key)
    return (stripped if _PLACE.search(stripped) or _GOVERNMENT.search(stripped) else key) or None


def same_body(a: str | None, b: str | None) -> bool:
    """Whether two body names (raw or keys) name the same body."""
    ka, kb = body_key(a), body_key(b)
    if not ka or not kb:
        return False
    return ka == kb or ka.endswith(kb) or kb.endswith(ka)


def level(body: str | None) -> str | None:
    """"department" (a 县级以上人民政府部门, publishing by 1月31日), "government" (the
    本级政府 report of a 县级以上地方人民政府 or a zone reporting as a whole, by 3月31日),
    or None when the name does not tell (then the later deadline applies)."""
    if not body:
        return None
    name = normalize(body)
    if _GOVERNMENT.search(name):
        return "government"
    if _DEPARTMENT.search(name):
        return "department"
    if _PLACE.search(name):
        return "government"
    return None
