"""Reference data: the IANA zones each US state (and territory) has land in.

Source: the US time zone boundaries of 49 CFR part 71, named by the IANA zones `phonenumbers`
also uses (so a state's zones and its numbers' zones compare by name). A state split between
zones lists every zone: an address in it may be in any of them, and a contact must be convenient
in all (12 CFR 1006.6(b)(1)(i), comment 6(b)(1)(i)-2). Zones with identical rules are named once
(Indiana's Eastern counties as ``America/New_York``, southern Idaho as ``America/Boise``).
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["US_STATE_ZONES"]

_E = "America/New_York"
_C = "America/Chicago"
_M = "America/Denver"
_P = "America/Los_Angeles"

US_STATE_ZONES: Mapping[str, tuple[str, ...]] = {
    "AL": (_C,),
    "AK": ("America/Anchorage", "America/Adak"),  # the Aleutians west of 169°30′W: Hawaii–Aleutian
    "AZ": ("America/Phoenix", _M),  # the Navajo Nation observes DST
    "AR": (_C,),
    "CA": (_P,),
    "CO": (_M,),
    "CT": (_E,),
    "DE": (_E,),
    "DC": (_E,),
    "FL": (_E, _C),  # the western panhandle is Central
    "GA": (_E,),
    "HI": ("Pacific/Honolulu",),
    "ID": ("America/Boise", _P),  # the panhandle is Pacific
    "IL": (_C,),
    "IN": (_E, _C),  # the north-west and south-west corners are Central
    "IA": (_C,),
    "KS": (_C, _M),  # four western counties are Mountain
    "KY": (_E, _C),
    "LA": (_C,),
    "ME": (_E,),
    "MD": (_E,),
    "MA": (_E,),
    "MI": (_E, _C),  # four Upper Peninsula counties are Central
    "MN": (_C,),
    "MS": (_C,),
    "MO": (_C,),
    "MT": (_M,),
    "NE": (_C, _M),
    "NV": (_P, _M),  # West Wendover is Mountain
    "NH": (_E,),
    "NJ": (_E,),
    "NM": (_M,),
    "NY": (_E,),
    "NC": (_E,),
    "ND": (_C, _M),
    "OH": (_E,),
    "OK": (_C,),
    "OR": (_P, "America/Boise"),  # most of Malheur County is Mountain
    "PA": (_E,),
    "RI": (_E,),
    "SC": (_E,),
    "SD": (_C, _M),
    "TN": (_E, _C),
    "TX": (_C, _M),  # El Paso and Hudspeth counties are Mountain
    "UT": (_M,),
    "VT": (_E,),
    "VA": (_E,),
    "WA": (_P,),
    "WV": (_E,),
    "WI": (_C,),
    "WY": (_M,),
    "PR": ("America/Puerto_Rico",),
    "VI": ("America/St_Thomas",),
    "GU": ("Pacific/Guam",),
    "MP": ("Pacific/Saipan",),
    "AS": ("Pacific/Pago_Pago",),
}
