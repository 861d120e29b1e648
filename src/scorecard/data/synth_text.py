"""Vectorised text for the synthetic portfolio: keys, names, phone, national id and Luhn-valid card numbers."""

from __future__ import annotations

import numpy as np

FIRST_NAMES = (
    "Ada",
    "Alan",
    "Amara",
    "Anton",
    "Bea",
    "Boris",
    "Carla",
    "Cyrus",
    "Dana",
    "Dmitri",
    "Elena",
    "Emil",
    "Farah",
    "Felix",
    "Gita",
    "Hugo",
    "Ines",
    "Ivan",
    "Jana",
    "Jonas",
    "Kira",
    "Leo",
    "Lina",
    "Marek",
    "Maya",
    "Nadia",
    "Noah",
    "Olga",
    "Omar",
    "Paula",
    "Pavel",
    "Rosa",
    "Sami",
    "Sofia",
    "Tariq",
    "Tess",
    "Umar",
    "Vera",
    "Wim",
    "Yara",
    "Zoe",
    "Zoran",
)
LAST_NAMES = (
    "Abbott",
    "Bauer",
    "Castillo",
    "Dvorak",
    "Eriksen",
    "Ferreira",
    "Gallo",
    "Horvat",
    "Ibrahim",
    "Jansen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Urban",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zeman",
    "Nakamura",
    "Haddad",
    "Costa",
    "Fischer",
)
CITIES: dict[str, tuple[str, ...]] = {
    "north": ("Northport", "Frostvale", "Kellby", "Aldmoor"),
    "south": ("Southbay", "Marisol", "Dunmere", "Palmera"),
    "east": ("Eastwick", "Sunrise", "Orenford", "Halden"),
    "west": ("Westfield", "Dusk Harbor", "Calloway", "Brenton"),
    "central": ("Capital City", "Midgard", "Crossway", "Ravensmark"),
    "coast": ("Saltmarsh", "Gullhaven", "Tidewater", "Coral Point"),
    "highlands": ("Ironpeak", "Stonebridge", "Highcairn", "Ashford"),
    "lakes": ("Lakeside", "Mirrormere", "Reedwater", "Loch Vale"),
    "plains": ("Grainfield", "Windmere", "Prairie Rock", "Sedgebury"),
    "islands": ("Port Isle", "Seacliff", "Anchor Bay", "Driftwood"),
}
LENDERS = (
    tuple(f"bank_{i:02d}" for i in range(1, 21))
    + tuple(f"fintech_{i:02d}" for i in range(1, 11))
    + tuple(f"mfi_{i:02d}" for i in range(1, 11))
)

OCTET_TEXT = np.array([str(i) for i in range(256)], dtype=object)


def digit_matrix(values: np.ndarray, width: int) -> np.ndarray:
    """Non-negative integers as a (n, width) matrix of decimal digits, zero-padded on the left."""
    out = np.empty((len(values), width), np.uint8)
    rest = values.astype(np.int64)
    for pos in range(width - 1, -1, -1):
        rest, out[:, pos] = np.divmod(rest, 10)
    return out


def digits_to_str(digits: np.ndarray, prefix: str = "") -> np.ndarray:
    """``prefix`` followed by the digits of each row of a (n, k) digit matrix, as an object array of str."""
    head = np.frombuffer(prefix.encode("ascii"), np.uint8)
    codes = np.empty((digits.shape[0], len(head) + digits.shape[1]), np.uint8)
    codes[:, : len(head)] = head
    codes[:, len(head) :] = digits + ord("0")
    k = codes.shape[1]
    return codes.view(f"S{k}").ravel().astype(f"U{k}").astype(object)


def keys(prefix: str, index: np.ndarray, width: int) -> np.ndarray:
    """Keys such as ``A0000042`` for integer indices (object array of str)."""
    return digits_to_str(digit_matrix(index, width), prefix)


def luhn_check_digit(payload: np.ndarray) -> np.ndarray:
    """Luhn check digit for each row of a (n, k) digit matrix (digits without the check digit)."""
    rev = payload[:, ::-1].astype(np.int64)
    doubled = rev[:, 0::2] * 2
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    total = doubled.sum(axis=1) + rev[:, 1::2].sum(axis=1)
    return (10 - total % 10) % 10


def card_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """16-digit, Luhn-valid card numbers on test-only prefixes (4000 / 5100)."""
    payload = rng.integers(0, 10, size=(n, 15))
    payload[:, :4] = np.where(rng.random(n)[:, None] < 0.6, [4, 0, 0, 0], [5, 1, 0, 0])
    return digits_to_str(np.column_stack([payload, luhn_check_digit(payload)]))


def national_ids(birth_days: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """National ids: YYMMDD of birth, a 7-digit serial, a Luhn check digit (14 digits)."""
    day = birth_days.astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    year = month.astype("datetime64[Y]")
    yymmdd = (
        (year.astype(np.int64) + 1970) % 100 * 10_000
        + (month - year).astype(np.int64) * 100
        + (day - month).astype(np.int64)
        + 101
    )
    body = np.column_stack([digit_matrix(yymmdd, 6), digit_matrix(serial, 7)])
    return digits_to_str(np.column_stack([body, luhn_check_digit(body)]))


def mobile_phones(rng: np.random.Generator, n: int) -> np.ndarray:
    """Mobile numbers in E.164 form on the unassigned +999 country code."""
    return digits_to_str(digit_matrix(rng.integers(0, 10**8, size=n), 8), "+9997")


FULL_NAMES = np.array([f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES], dtype=object)


def full_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """First and last name drawn from fixed lists."""
    return FULL_NAMES[
        rng.integers(0, len(FIRST_NAMES), n) * len(LAST_NAMES) + rng.integers(0, len(LAST_NAMES), n)
    ]


def subnets(octets: np.ndarray) -> np.ndarray:
    """``a.b.c.`` prefixes from a (n, 3) matrix of octets (object array of str)."""
    o = OCTET_TEXT[octets]
    return o[:, 0] + "." + o[:, 1] + "." + o[:, 2] + "."


def ips(subnet: np.ndarray, last_octet: np.ndarray) -> np.ndarray:
    """Dotted IPv4 strings: a subnet prefix per row plus its last octet."""
    return subnet + OCTET_TEXT[last_octet]
