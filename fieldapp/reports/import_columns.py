"""Participant lists as villages keep them: which column is which, and what a cell means (pure functions).

Headers are matched case-, space- and punctuation-insensitively ("Tgl. Lahir", "TANGGAL LAHIR", "tgl_lahir"
all become ``birth_date``). Cell readers return ``(value, problem)`` where a problem is an (Indonesian,
English) pair; nothing is guessed: a NIK that a spreadsheet stored as a number is reported as damaged, because
Excel keeps only 15 significant digits and the 16th is gone.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from fieldapp.domain.nik import normalize_nik, resolve_century

Message = tuple[str, str]

#: Field → (Indonesian label, English label) for the mapping screen and the problem report.
FIELDS: dict[str, Message] = {
    "nik": ("NIK", "NIK"),
    "full_name": ("Nama lengkap", "Full name"),
    "birth_place": ("Tempat lahir", "Place of birth"),
    "birth_date": ("Tanggal lahir", "Date of birth"),
    "birth_place_date": ("Tempat, tanggal lahir", "Place and date of birth"),
    "sex": ("Jenis kelamin", "Sex"),
    "street": ("Alamat", "Address"),
    "rt": ("RT", "RT"),
    "rw": ("RW", "RW"),
    "rt_rw": ("RT/RW", "RT/RW"),
    "village": ("Desa/kelurahan", "Village"),
    "phone": ("No. HP", "Mobile number"),
    "occupation": ("Pekerjaan", "Occupation"),
    "heir_name": ("Ahli waris", "Heir"),
    "heir_relationship": ("Hubungan ahli waris", "Heir's relationship"),
    "heir_phone": ("HP ahli waris", "Heir's phone"),
    "kk_number": ("No. KK", "Family card no."),
    "mother_name": ("Nama ibu kandung", "Mother's maiden name"),
    "email": ("Email", "Email"),
    "guardian_name": ("Orang tua/wali", "Parent/guardian"),
}

_ALIASES: dict[str, tuple[str, ...]] = {
    "nik": ("nik", "noktp", "nomorktp", "nonik", "nomornik", "nomorindukkependudukan", "niknoktp", "ktp", "noinduk"),
    "full_name": ("nama", "namalengkap", "namapeserta", "namasesuaiktp", "namalengkapsesuaiktp", "namapekerja",
                  "namatenagakerja", "namawarga"),
    "birth_place": ("tempatlahir", "tmplahir", "tmptlahir", "tempatlhr", "kotalahir"),
    "birth_date": ("tgllahir", "tanggallahir", "tgllhr", "tanggallhr", "tglahir", "dob", "tanggalkelahiran"),
    "birth_place_date": ("ttl", "tempattanggallahir", "tempattgllahir", "tempatdantanggallahir", "tempattgllhr"),
    "sex": ("jeniskelamin", "jk", "lp", "kelamin", "gender", "sex", "jnskelamin"),
    "street": ("alamat", "alamatjalan", "jalan", "alamatlengkap", "alamatrumah", "alamatdomisili", "kampung"),
    "rt": ("rt",),
    "rw": ("rw",),
    "rt_rw": ("rtrw",),
    "village": ("desa", "kelurahan", "desakelurahan", "kelurahandesa", "desakel", "keldesa", "namadesa", "kodedesa",
                "kodewilayah", "kodekelurahan"),
    "phone": ("nohp", "nomorhp", "hp", "telepon", "notelp", "notelepon", "nomortelepon", "telp", "nowa", "nowhatsapp",
              "nomorwa", "handphone", "nohandphone", "nohpwa", "ponsel"),
    "occupation": ("pekerjaan", "jenispekerjaan", "profesi", "pekerjaanutama"),
    "heir_name": ("ahliwaris", "namaahliwaris", "namawaris"),
    "heir_relationship": ("hubunganahliwaris", "hubungan", "hubunganwaris", "hubungankeluarga"),
    "heir_phone": ("hpahliwaris", "nohpahliwaris", "teleponahliwaris", "notelpahliwaris"),
    "kk_number": ("nokk", "nomorkk", "kk", "nomorkartukeluarga", "nokartukeluarga"),
    "mother_name": ("namaibukandung", "ibukandung", "namaibu"),
    "email": ("email", "surel", "alamatemail"),
    "guardian_name": ("wali", "namawali", "namaorangtuawali", "orangtuawali"),
}
_EXACT = {alias: f for f, aliases in _ALIASES.items() for alias in aliases}
_CONTAINED = sorted(((a, f) for a, f in _EXACT.items() if len(a) >= 4), key=lambda x: -len(x[0]))
_IGNORED = {"no", "nomor", "nourut", "noo", "keterangan", "ket", "catatan", "usia", "umur"}
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def norm(text: object) -> str:
    """'Tgl. Lahir (dd/mm/yyyy)' → 'tgllahirddmmyyyy'."""
    return _NON_ALNUM.sub("", unicodedata.normalize("NFKC", str(text or "")).lower())


def field_of(header: object) -> str | None:
    """The field a header names, or None. Exact aliases first, then the longest alias the header contains."""
    key = norm(header)
    if not key or key in _IGNORED:
        return None
    if key in _EXACT:
        return _EXACT[key]
    for alias, name in _CONTAINED:
        if alias in key:
            return name
    return None


def guess_mapping(headers: list[object]) -> list[str | None]:
    """One field (or None) per column; a field named twice keeps its first column."""
    taken: set[str] = set()
    out: list[str | None] = []
    for h in headers:
        f = field_of(h)
        if f in taken:
            f = None
        if f:
            taken.add(f)
        out.append(f)
    return out


def header_score(cells: list[object]) -> int:
    return sum(1 for c in cells if field_of(c))


# -- cell values ---------------------------------------------------------------------------------------------
_SCIENTIFIC = re.compile(r"^[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+$")
_FLOAT_TAIL = re.compile(r"^[0-9]+[.,]0+$")


def text(value: object) -> str:
    """A cell as text: numbers without a spurious '.0', spaces collapsed."""
    if type(value) is str:
        return " ".join(value.split())
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return " ".join(str(value).split())


def identifier(value: object, what: Message) -> tuple[str, Message | None]:
    """A NIK or KK number cell. A number cell (or '3.21606E+15', '3216061207900003.0' in a CSV) is damaged."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "", None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        shown = f"{value:.5E}" if isinstance(value, float) else str(value)
        return "", _damaged(what, shown)
    raw = str(value).strip().lstrip("'")
    if raw.isdigit() and raw.isascii():
        return raw, None  # the common case: digits typed as text
    if _SCIENTIFIC.match(raw) or _FLOAT_TAIL.match(raw):
        return "", _damaged(what, raw)
    return normalize_nik(raw), None


def _damaged(what: Message, shown: str) -> Message:
    return (f"{what[0]} tersimpan sebagai angka ({shown}), bukan teks: Excel hanya menyimpan 15 digit sehingga "
            f"digit terakhir bisa hilang. Ketik ulang {what[0]} dari KTP/KK di sel berformat Teks.",
            f"{what[1]} was stored as a number ({shown}), not as text: Excel keeps only 15 digits, so the last "
            f"digit may be lost. Retype the {what[1]} from the ID card in a cell formatted as Text.")


NIK_WHAT: Message = ("NIK", "NIK")
KK_WHAT: Message = ("Nomor KK", "KK number")


def phone(value: object) -> tuple[str, Message | None]:
    """A phone cell. A whole number lost its leading 0 (812… → 0812…); a float in E-notation lost digits."""
    if value is None:
        return "", None
    if isinstance(value, float) and not value.is_integer():
        return "", ("Nomor HP tersimpan sebagai angka pecahan; ketik ulang sebagai teks.",
                    "The phone number was stored as a fraction; retype it as text.")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        digits = str(int(value))
        return ("0" + digits if digits.startswith("8") else digits), None
    raw = str(value).strip().lstrip("'")
    if _SCIENTIFIC.match(raw):
        return "", ("Nomor HP tersimpan sebagai angka (E+), sebagian digit hilang; ketik ulang sebagai teks.",
                    "The phone number was stored as a number (E+) and lost digits; retype it as text.")
    return raw, None


SEX = {"l": "L", "lk": "L", "laki": "L", "lakilaki": "L", "pria": "L", "m": "L", "male": "L",
       "p": "P", "pr": "P", "perempuan": "P", "wanita": "P", "w": "P", "f": "P", "female": "P"}


def sex(value: object) -> tuple[str, Message | None]:
    if value == "L" or value == "P":
        return value, None
    key = norm(value)
    if not key:
        return "", None
    if key in SEX:
        return SEX[key], None
    return "", (f"Jenis kelamin '{text(value)}' tidak dikenal; tulis L atau P.",
                f"Unknown sex '{text(value)}'; write L or P.")


MONTHS = {
    1: ("januari", "jan", "january"), 2: ("februari", "pebruari", "feb", "peb", "february"),
    3: ("maret", "mar", "march"), 4: ("april", "apr"), 5: ("mei", "may"), 6: ("juni", "jun", "june"),
    7: ("juli", "jul", "july"), 8: ("agustus", "agu", "agt", "ags", "agst", "aug", "august"),
    9: ("september", "sep", "sept"), 10: ("oktober", "okt", "oct", "october"),
    11: ("november", "nopember", "nov", "nop"), 12: ("desember", "des", "dec", "december"),
}
_MONTH = {name: n for n, names in MONTHS.items() for name in names}
_DMY = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{2}|\d{4})$")
_YMD = re.compile(r"^(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_NAMED = re.compile(r"^(\d{1,2})[\s\-/.]*([A-Za-z]+)\.?[\s\-/.,]*(\d{2}|\d{4})$")
_SERIAL = re.compile(r"^\d{5}(?:\.0+)?$")
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 once Excel's phantom 29 Feb 1900 is allowed for


def _bad_date(raw: str) -> Message:
    return (f"Tanggal '{raw}' tidak dikenali; tulis dd/mm/yyyy, misalnya 12/07/1990 atau 12 Juli 1990.",
            f"Date '{raw}' not understood; write dd/mm/yyyy, e.g. 12/07/1990 or 12 Juli 1990.")


def date(value: object, today: dt.date) -> tuple[dt.date | None, Message | None]:
    """Dates as lists hold them: date cells, Excel serial numbers, dd/mm/yyyy, dd-mm-yyyy, yyyy-mm-dd,
    '12 Juli 1990', '12 Agt 1990'. Day first always (Indonesian usage); a two-digit year is 19YY or 20YY,
    whichever is not in the future."""
    if value is None or value == "":
        return None, None
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _serial(float(value), str(value))
    raw = " ".join(str(value).split())
    if _SERIAL.match(raw):
        return _serial(float(raw), raw)
    for pattern, order in ((_DMY, "dmy"), (_YMD, "ymd"), (_NAMED, "dny")):
        match = pattern.match(raw)
        if not match:
            continue
        a, b, c = match.groups()
        if order == "ymd":
            y, mth, d = int(a), int(b), int(c)
        elif order == "dmy":
            d, mth, y = int(a), int(b), int(c)
        else:
            d, y = int(a), int(c)
            month = _MONTH.get(b.lower())
            if month is None:
                return None, _bad_date(raw)
            mth = month
        try:
            if y < 100:
                return resolve_century(y, mth, d, today), None
            return dt.date(y, mth, d), None
        except ValueError:
            return None, (f"Tanggal '{raw}' tidak ada di kalender.", f"Date '{raw}' does not exist.")
    return None, _bad_date(raw)


def _serial(n: float, raw: str) -> tuple[dt.date | None, Message | None]:
    if not 10_000 <= n < 80_000:  # 1927-05-18 … 2119: a bare year such as 1990 is not a serial
        return None, _bad_date(raw)
    return EXCEL_EPOCH + dt.timedelta(days=int(n)), None


def place_and_date(value: object, today: dt.date) -> tuple[str, dt.date | None, Message | None]:
    """'Bekasi, 12-07-1990' (one TTL column) → ('Bekasi', 1990-07-12)."""
    raw = text(value)
    if not raw:
        return "", None, None
    if not any(ch.isdigit() for ch in raw):
        return raw, None, None  # the place only: the date may come from its own column or from the NIK
    place, sep, when = raw.rpartition(",")
    if not sep:
        match = re.match(r"^(.*?)[\s]+(\d.*)$", raw)
        if not match:
            return raw, None, _bad_date(raw)
        place, when = match.groups()
    born, problem = date(when.strip(), today)
    return place.strip(), born, problem


def rt_rw(value: object) -> tuple[str, str]:
    """'003/005', '3 / 5', '03-05' → ('003', '005'); anything else → (text, '') for the validator to judge."""
    raw = text(value)
    match = re.match(r"^\s*(\d{1,3})\s*[/\-.,]\s*(\d{1,3})\s*$", raw)
    return (match.group(1), match.group(2)) if match else (raw, "")
