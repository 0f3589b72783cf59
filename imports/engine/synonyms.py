"""What real exports call the built-in profile keys, in English and Korean (R-I5). Pure.

One table: each built-in key with the headers that mean it. Headers are compared folded (see
``fold``), so a synonym is written once however a file spells it: ``Phone Number``,
``phone_number`` and ``PHONE-NUMBER`` are one entry; the key's own name and label are always
among its synonyms.

Decisions where the rules leave room:
- Phone: for a customer list "Phone" means the number that receives texts, so ``Phone``,
  ``Phone Number``, ``전화번호``, ``연락처`` and ``HP`` (Korean "handphone") mean mobileNumber.
  landlineNumber takes only the headers that say landline: ``Landline``, ``Tel``, ``Telephone``
  (Korean forms write ``TEL`` beside ``HP`` for the fixed line), ``Home phone``, ``Office phone``,
  ``유선전화``, ``일반전화``, ``집전화``, ``회사전화``.
- Opt-outs: only headers that say "unsubscribe" or "opt-out" (``수신거부``). Consent columns
  (``Email consent``, ``수신동의``) mean the opposite value and are no synonym: mapping them
  would turn every consent into an opt-out.
- memberId: the site's own ids (``Customer ID``, ``User ID``, ``회원번호``, ``회원ID``,
  ``아이디``). A bare ``ID`` is not one: in most exports it is the exporting tool's row id.
- name: whole names only; ``First name`` and ``Last name`` are halves and stay unmatched.
"""

import re
import unicodedata

from contacts.keys import BUILTIN_BY_NAME

SYNONYMS: dict[str, tuple[str, ...]] = {
    "memberId": (
        "Member No", "Member Number", "Customer ID", "Customer No", "Customer Number",
        "User ID", "Account ID", "회원번호", "회원ID", "회원 아이디", "아이디", "고객번호",
        "고객ID", "회원코드",
    ),
    "name": (
        "Full Name", "Customer Name", "Member Name", "Contact Name", "Display Name",
        "이름", "성명", "성함", "고객명", "고객 이름", "회원명", "회원 이름",
    ),
    "email": (
        "E-mail", "Email Address", "E-mail Address", "Mail", "Mail Address", "Primary Email",
        "이메일", "이메일 주소", "메일", "메일 주소", "전자우편",
    ),
    "mobileNumber": (
        "Mobile", "Mobile Phone", "Mobile No", "Cell", "Cell Phone", "Cell Number",
        "Phone", "Phone Number", "Phone No", "Handphone", "HP", "Contact Number",
        "휴대폰", "휴대폰 번호", "휴대전화", "휴대전화 번호", "핸드폰", "핸드폰 번호",
        "휴대번호", "전화번호", "연락처",
    ),
    "landlineNumber": (
        "Landline", "Landline Phone", "Tel", "Tel No", "Telephone", "Telephone Number",
        "Home Phone", "Work Phone", "Office Phone", "Fixed Line",
        "유선전화", "유선전화 번호", "일반전화", "집전화", "자택전화", "회사전화", "직장전화",
    ),
    "unsubscribeEmail": (
        "Unsubscribe Email", "Email Unsubscribe", "Email Unsubscribed", "Email Opt Out",
        "Opt Out Email", "Unsubscribed from Email",
        "이메일 수신거부", "메일 수신거부", "이메일 거부",
    ),
    "unsubscribeTexting": (
        "Unsubscribe Texting", "Unsubscribe SMS", "SMS Unsubscribe", "SMS Unsubscribed",
        "SMS Opt Out", "Text Opt Out", "Texting Unsubscribe",
        "문자 수신거부", "SMS 수신거부", "문자 거부",
    ),
}  # fmt: skip

_NOT_ALNUM = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """A header as synonyms compare it: NFKC, casefolded, without spaces, ``_`` or punctuation."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text)).casefold()


def _index() -> dict[str, tuple[str, ...]]:
    index: dict[str, tuple[str, ...]] = {}
    for key_name, synonyms in SYNONYMS.items():
        key = BUILTIN_BY_NAME[key_name]
        for text in (key.name, key.label, *synonyms):
            folded = fold(text)
            if key_name not in index.get(folded, ()):
                index[folded] = (*index.get(folded, ()), key_name)
    return index


# Folded header -> the built-in keys it means (one, unless a synonym were shared).
SYNONYM_KEYS: dict[str, tuple[str, ...]] = _index()
