"""The device class of a person's User-Agent: mobile, tablet, desktop or other, by ordered rules.

Order is the point: TVs, consoles, cars, smart displays and cameras first (they often
also say Android, Mobile or Linux), then tablets (many also say Mobile), then phones,
then desktops. Laptops whose strings also say Android or Darwin (Chromebooks, named laptop
lines, Macs' CFNetwork apps) come right after the TVs; makers of both TVs and phones decide
only when no phone token does. Everything else is other. Each rule is a list of regexes
behind a literal prefilter, so a User-Agent costs a few µs however long the lists grow.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final, Literal

from stream_processors.agents.patterns import PatternSet

HumanDevice = Literal["mobile", "tablet", "desktop", "other"]

OTHER: Final = (
    # TVs and set-top boxes
    r"Smart[ _-]?TV",
    r"\bTV\b",
    r"[_ ]TV[_ ;)]",
    r"TV Safari",
    r"[a-z]TV\b",
    r"HbbTV",
    r"\bDTV\b",
    r"Tizen[\s\d.;]*TV",
    r"Web0S",
    r"WebOS TV",
    r"NetCast",
    r"BRAVIA",
    r"Viera",
    r"GoogleTV",
    r"Google TV",
    r"Android ?TV",
    r"AppleTV",
    r"Apple TV",
    r"tvOS",
    r"CrKey",
    r"Roku",
    r"\bAFT[A-Z]",
    r"Fire ?TV",
    r"Opera TV",
    r"\bOMI/",
    r"Espial",
    r"ANTGalio",
    r"Freebox",
    r"Kylo",
    r"Sonos",
    r"Chromecast",
    r"NETTV",
    r"VIDAA",
    r"MiBOX",
    r"MiTV",
    r"Mi Box",
    r"\bSTB\b",
    r"set-?top",
    r"Linux mips",
    r"Linux sh4",
    r"Humax",
    r"Technisat",
    r"Sagemcom",
    r"Maple",
    r"SmartHub",
    r"Inettv",
    r"MSTAR",
    r"Vizio",
    r"YNDX-",
    r"Streaming Box",
    r"BrightSign",
    r"QtEmbedded",
    r"stbapp",
    r"(?<![A-Z])STB(?![A-Z])",
    r"\bWPE\b",
    r"SigmaDesigns",
    # consoles
    r"PlayStation",
    r"\bPS[345]\b",
    r"Xbox",
    r"Nintendo",
    r"\bWii",
    r"\bOUYA\b",
    r"Nvidia Shield",
    # cars
    r"QtCarBrowser",
    r"Automotive",
    r"CarPlay",
    r"\bcar\b",
    # smart displays and speakers
    r"Echo Show",
    r"\bPortal\b",
    r"Nest Hub",
    r"Hub Max",
    r"Smart Display",
    r"\bAlexa",
    r"HomePod",
    r"\bAFT[A-Z]",
    # cameras, media players, wearables, peripherals
    r"NIKON",
    r"COOLPIX",
    r"\bEOS\b",
    r"Kindle/[1-3]",
    r"iPod",
    r"Watch",
    r"Wear ?OS",
    r"\bGear\b",
    r"Wearable",
    r"\bSM-R\d{3}",  # Samsung's watches and Gear
    r"Family ?Hub",
    # VR headsets
    r"OculusBrowser",
    r"PicoBrowser",
    r"VR Safari",
    r"\bQuest (?:[1-3]S?|Pro)\b",
    r"\bGlass\b",
)
# Laptops and desktops, checked before tablets and phones: Android on a laptop (ARC on
# ChromeOS, Android-x86) and macOS apps' CFNetwork strings say Android, Mobile or Darwin too.
LAPTOP: Final = (
    r"Chromebook",
    r"Chromebox",
    r"Pixelbook",
    r"CrosArc",
    r"Build/R\d{2,3}-\d{4,5}\.",  # a ChromeOS release as the Android build
    # Macs: the model identifier, an Intel or PowerPC Darwin, macOS Safari over CFNetwork
    r"\b(?:MacBook(?:Air|Pro)?|iMac|Macmini|MacPro|PowerMac|PowerBook|Mac)\d+(?:,|%2C)\d",
    r"Darwin/[\d.]+ \((?:x86_64|i386|Power)",
    r"^Safari/?\d[\d.]* CFNetwork/",
    r"\bmacOS\b",
    r"\bOSX/",
    r"apple-darwin",
    r"\bPC;",
    r"\b2in1\b",
)
# Laptop and desktop product lines: an Android string that names one and no phone or tablet
# token is Android on a PC (Android-x86, Phoenix OS, a ChromeOS container).
LAPTOP_LINES: Final = (
    r"\b(?:Inspiron|Latitude|Vostro|OptiPlex|XPS \d)\b",
    r"\b(?:EliteBook|ProBook|EliteDesk|ProDesk|Pavilion|Engage One)\b",
    r"\b(?:TravelMate|Aspire|Swift SF|Extensa|Veriton)\b",
    r"\b(?:ThinkPad|ThinkCentre|IdeaCentre|ThinkBook)\b",
    r"\b(?:Satellite|LIFEBOOK|EasyNote|VivoBook|ZenBook)\b",
    r"\bNUC\d",
    r"\b(?:Notebook|Netbook|Laptop|Desktop|All-in-One|AIO)\b",
    r"\bPC\)",
)
# Makers of TVs, cameras and cars that also sell phones: other unless a phone token is there too.
OTHER_MAKERS: Final = (
    r"Philips",
    r"Hisense",
    r"\bTCL\b",
    r"Vestel",
    r"\bMetz\b",
    r"Panasonic",
    r"Toshiba",
    r"AQUOS",
    r"\bTesla\b",
    r"\bEcho\b",
    r"Camera",
)
TABLET: Final = (
    r"iPad",
    r"Puffin/[\d.]+[AI]T",  # Puffin's platform suffix: Android or iOS, Tablet or Phone
    r"Tablet(?! PC)",
    r"\bTab\b",
    r"\bPad\b",
    r"Kindle",
    r"\bSilk\b",
    r"\bKF[A-Z]{2,4}\b",
    r"PlayBook",
    r"Nexus (?:7|9|10)\b",
    r"Xoom",
    r"\bSM-[TXP]\d",
    r"GT-P\d",
    r"GT-N[58]\d",
    r"SCH-I[89]\d\d",
    r"Lenovo (?:TB|YT|A\d{4}|B\d)",
    r"\bTB-?\d",
    r"MediaPad",
    r"MatePad",
    r"\bBAH\d",
    r"\bAGS\d",
    r"\bKOB\d",
    r"\bCMR-",
    r"\bSCM-",
    r"\bDBY-",
    r"Transformer",
    r"\bME\d{3}",
    r"Galaxy Tab",
    r"Tab[ _-]?\w*\d",
    r"\bMi ?Pad",
    r"MiPad",
    r"YOGA Tab",
    r"IdeaTab",
    r"Pixel (?:C|Tablet)",
    r"Nokia T\d",
)
MOBILE: Final = (
    r"iPhone",
    r"Puffin/[\d.]+[AI]P",
    r"Lumia",
    r"WPDesktop",
    r"\bMAUI\b",  # MediaTek's feature-phone platform
    r"\bMRE/",
    r"DoCoMo",
    r"\bKDDI",
    r"SoftBank",
    r"WAP-?Browser",
    r"Mobile",
    r"\bMobi\b",
    r"Phone",
    r"BlackBerry",
    r"BB10",
    r"Opera Mini",
    r"Opera Mobi",
    r"J2ME",
    r"MIDP",
    r"CLDC",
    r"Symbian",
    r"SymbOS",
    r"Series ?[46]0",
    r"\bS60\b",
    r"Nokia",
    r"UP\.Browser",
    r"UCWEB",
    r"UCBrowser",
    r"Windows CE",
    r"IEMobile",
    r"webOS",
    r"\bPalm",
    r"Maemo",
    r"MeeGo",
    r"KaiOS",
    r"\bBada\b",
    r"Tizen",
    r"Obigo",
    r"Teleca",
    r"NetFront",
    r"Polaris",
    r"Dolfin",
    r"Jasmine",
    r"FxiOS",
    r"CriOS",
    r"\biOS\b",
)
# Makers' names and Darwin: a phone unless a desktop platform is named too.
MOBILE_BRANDS: Final = (
    r"Samsung",
    r"SonyEricsson",
    r"\bLG-",
    r"\bMOT-",
    r"Huawei",
    r"\bHTC",
    r"\bZTE",
    r"Alcatel",
    r"Vodafone",
    r"Darwin",
)
DESKTOP: Final = (
    r"Windows NT",
    r"Windows (?:9[58]|XP|2000|ME)",
    r"Win(?:32|64|98|95|NT)",
    r"Macintosh",
    r"Mac OS X",
    r"Mac_PowerPC",
    r"X11",
    r"CrOS",
    r"FreeBSD",
    r"OpenBSD",
    r"NetBSD",
    r"SunOS",
    r"Ubuntu",
    r"Fedora",
    r"Debian",
    r"Linux",
    r"Windows",
    r"\bWin(?:7|8|10|11)\b",
    r"Mac OS",
    r"AmigaOS",
    r"BeOS",
    r"Haiku",
    r"OS/2",
    r"OpenVMS",
    r"Syllable",
    r"Inferno",
    r"CYGWIN",
    r"RISC ?OS",
    r"OpenStep",
)


_EMBEDDED_LINUX: Final = re.compile(r"Linux (?:armv?\d*\w*|aarch64|mips\w*|sh4)\b", re.IGNORECASE)


@cache
def _rules() -> tuple[PatternSet[str], ...]:
    return tuple(
        PatternSet([(p, name) for p in patterns], re.IGNORECASE)
        for name, patterns in (
            ("other", OTHER),
            ("other_makers", OTHER_MAKERS),
            ("laptop", LAPTOP),
            ("laptop_lines", LAPTOP_LINES),
            ("tablet", TABLET),
            ("mobile", MOBILE),
            ("brand", MOBILE_BRANDS),
            ("desktop", DESKTOP),
        )
    )


def device_class(ua: str) -> HumanDevice:
    """Return the device class a person's User-Agent declares."""
    other, other_makers, laptop, laptop_lines, tablet, mobile, brand, desktop = _rules()
    if other.search(ua):
        return "other"
    if laptop.search(ua):
        return "desktop"
    if tablet.search(ua):
        return "tablet"
    if "android" in ua.lower():
        if mobile.search(ua) or brand.search(ua):
            return "mobile"
        if other_makers.search(ua):
            return "other"
        return "desktop" if laptop_lines.search(ua) else "tablet"
    if mobile.search(ua):
        return "mobile"
    if other_makers.search(ua):
        return "other"
    # Linux on ARM, MIPS or SH4 without Android: a TV, box, display or appliance.
    if _EMBEDDED_LINUX.search(ua):
        return "other"
    # A desktop platform outranks a maker's name (SamsungBrowser and HuaweiBrowser on Windows).
    if desktop.search(ua):
        return "desktop"
    if brand.search(ua):
        return "mobile"
    return "other"
