"""Proposed keys for real export headers, English and Korean (R-I5), pure: no database."""

import pytest

from contacts.keys import BUILTIN_BY_NAME
from imports.engine import mapping as m
from imports.engine.mapping import EXACT, NO_PROPOSAL, SUGGESTED, KeyInfo, Proposal, propose
from imports.engine.synonyms import SYNONYM_KEYS, SYNONYMS, fold

TIER = KeyInfo("tier", "Membership tier", "string")
KEYS = m.available_keys([TIER], {})


def _one(header: str, keys=KEYS, kind=None) -> Proposal:
    return propose([header], keys, kind=kind)[header]


SPELLINGS = {
    "memberId": [
        "Member-ID", "member_no", "Customer ID", "CustomerID", "customer-id", "User ID",
        "USER_ID", "Customer Number", "회원번호", "회원ID", "회원 ID", "회원아이디", "아이디",
        "고객번호",
    ],
    "name": [
        "Full Name", "FullName", "full_name", "Customer Name", "Display name", "이름", "성명",
        "성함", "고객명", "회원 이름",
    ],
    "email": [
        "E-mail", "E-Mail", "EMAIL ADDRESS", "Email-Address", "e.mail", "Primary Email",
        "PrimaryEmail", "Mail", "ＥＭＡＩＬ", "이메일", "이메일 주소", "메일주소", "전자우편",
    ],
    "mobileNumber": [
        "Phone", "Phone Number", "phone_number", "PhoneNumber", "Phone No.", "Phone #",
        "Mobile", "MobilePhone", "Mobile Phone", "mobile-no", "Cell", "Cell Phone",
        "cellphone", "HP", "H.P", "Handphone", "Mobile-Number", "휴대폰", "휴대폰 번호",
        "휴대전화", "휴대전화번호", "핸드폰", "전화번호", "연락처",
    ],
    "landlineNumber": [
        "Landline", "Tel", "TEL.", "Telephone", "Tel No", "Home Phone", "Office-Phone",
        "Landline-Number", "유선전화", "일반전화", "집전화", "회사전화",
    ],
    "unsubscribeEmail": [
        "Email Unsubscribe", "E-mail Opt Out", "opt-out email", "Email unsubscribed",
        "이메일 수신거부", "메일수신거부",
    ],
    "unsubscribeTexting": [
        "Unsubscribe SMS", "SMS Opt-Out", "sms_unsubscribed", "Texting Opt-out!",
        "문자 수신거부", "SMS수신거부",
    ],
}  # fmt: skip


@pytest.mark.parametrize(
    ("header", "key"), [(h, key) for key, headers in SPELLINGS.items() for h in headers]
)
def test_R_I5_real_export_headers_are_suggested_their_built_in_key(header, key):
    assert _one(header) == Proposal(key, SUGGESTED)


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Member ID", "memberId"),
        ("NAME", "name"),
        ("e_mail", "email"),
        ("mobile number", "mobileNumber"),
        ("Landline number", "landlineNumber"),
        ("Email opt-out", "unsubscribeEmail"),
        ("membership_tier", "tier"),
    ],
)
def test_R_I5_headers_equal_to_a_name_or_label_are_exact(header, key):
    assert _one(header) == Proposal(key, EXACT)


@pytest.mark.parametrize(
    "header",
    [
        "First Name", "Last Name", "ID", "Notes", "Email consent", "이메일 수신동의",
        "SMS 수신동의", "Unsubscribed", "createdAt", "Created At", "Customer import tags",
        "userImportTag", "Shoe size",
    ],
)  # fmt: skip
def test_R_I5_halves_consents_system_keys_and_strangers_get_no_proposal(header):
    assert _one(header) == NO_PROPOSAL


def test_R_I5_custom_keys_are_suggested_by_a_near_match_of_name_or_label():
    shoe = KeyInfo("shoe_size", "Shoe size (EU)", "number")
    keys = m.available_keys([TIER, shoe], {})
    assert _one("Membership-Tier", keys) == Proposal("tier", SUGGESTED)
    assert _one("TIER!", keys) == Proposal("tier", SUGGESTED)
    assert _one("shoe-size", keys) == Proposal("shoe_size", SUGGESTED)
    assert _one("Shoe Size EU", keys) == Proposal("shoe_size", SUGGESTED)


def test_R_I5_a_header_two_keys_fit_equally_gets_no_proposal():
    customer_id = KeyInfo("customer_id", "Customer number", "string")
    cell = KeyInfo("cellular", "Cell #", "string")
    keys = m.available_keys([customer_id, cell], {})
    # a near match to a custom key and a built-in synonym
    assert _one("Customer-ID", keys) == NO_PROPOSAL
    assert _one("cell", keys) == NO_PROPOSAL
    # two custom keys folding alike
    twins = m.available_keys(
        [KeyInfo("shoe_size", "x", "number"), KeyInfo("shoeSize", "y", "number")], {}
    )
    assert _one("Shoe-Size", twins) == NO_PROPOSAL
    # an exact tie: a custom key labelled like a built-in key
    assert _one("Name", m.available_keys([KeyInfo("alias", "Name", "string")], {})) == NO_PROPOSAL


def test_R_I5_landline_is_proposed_only_where_the_header_says_so():
    proposals = propose(["Phone", "Tel", "전화번호"], KEYS)
    assert proposals["Phone"] == Proposal("mobileNumber", SUGGESTED)
    assert proposals["Tel"] == Proposal("landlineNumber", SUGGESTED)
    assert proposals["전화번호"] == NO_PROPOSAL  # the key went to "Phone"


def test_R_I5_two_headers_proposing_one_key_keep_the_first():
    assert propose(["Mobile", "Phone", "휴대폰"], KEYS) == {
        "Mobile": Proposal("mobileNumber", SUGGESTED),
        "Phone": NO_PROPOSAL,
        "휴대폰": NO_PROPOSAL,
    }


def test_R_I5_an_exact_match_beats_an_earlier_suggestion():
    assert propose(["Phone", "E-mail", "mobileNumber", "email"], KEYS) == {
        "Phone": NO_PROPOSAL,
        "E-mail": NO_PROPOSAL,
        "mobileNumber": Proposal("mobileNumber", EXACT),
        "email": Proposal("email", EXACT),
    }


def test_R_I5_two_exact_headers_for_one_key_keep_the_first():
    proposals = propose(["Mobile number", "mobileNumber"], KEYS)
    assert list(proposals.values()) == [Proposal("mobileNumber", EXACT), NO_PROPOSAL]


def test_R_I14_failed_rows_columns_are_left_out_of_the_proposals():
    headers = ["rowNumber", "errorColumns", "errorReasons", "회원번호", "성명", "휴대전화"]
    assert propose(headers, KEYS) == {
        "회원번호": Proposal("memberId", SUGGESTED),
        "성명": Proposal("name", SUGGESTED),
        "휴대전화": Proposal("mobileNumber", SUGGESTED),
    }


def test_R_I1_a_lead_import_is_never_suggested_member_id():
    assert _one("회원번호", kind=m.LEAD) == NO_PROPOSAL
    assert _one("Customer ID", kind=m.MEMBER) == Proposal("memberId", SUGGESTED)
    # an exact memberId column stays proposed; resolve refuses it with its reason
    assert _one("memberId", kind=m.LEAD) == Proposal("memberId", EXACT)


def test_a_typical_korean_member_export_is_proposed_whole():
    headers = [
        "회원ID",
        "이름",
        "이메일",
        "휴대폰",
        "유선전화",
        "이메일 수신거부",
        "문자 수신거부",
        "가입일",
    ]
    proposed = {h: p.key for h, p in propose(headers, KEYS).items()}
    assert proposed == {
        "회원ID": "memberId",
        "이름": "name",
        "이메일": "email",
        "휴대폰": "mobileNumber",
        "유선전화": "landlineNumber",
        "이메일 수신거부": "unsubscribeEmail",
        "문자 수신거부": "unsubscribeTexting",
        "가입일": None,
    }


def test_fold_drops_case_spaces_and_punctuation_and_unifies_wide_forms():
    assert {fold(t) for t in ("E-mail", "e_mail", "E MAIL", "ｅ－ｍａｉｌ", "e.mail!")} == {"email"}
    assert fold("휴대폰 번호") == "휴대폰번호"


def test_every_synonym_means_one_mappable_built_in_key():
    assert all(len(keys) == 1 for keys in SYNONYM_KEYS.values())
    for name in SYNONYMS:
        key = BUILTIN_BY_NAME[name]
        assert key.is_mappable and not key.is_system


# the command line's refusal (resolve)


def _refusal(headers, kind="member", identifier=None, **kwargs) -> str:
    with pytest.raises(m.MappingError) as caught:
        m.resolve(headers=headers, custom_keys=[TIER], kind=kind, identifier=identifier, **kwargs)
    return caught.value.message


def test_R_I5_resolve_maps_only_exact_headers_and_proposes_options_for_the_rest():
    message = _refusal(["memberId", "Phone", "Hat", "이메일", "lastSeenAt"])
    assert message == m.UNMATCHED_COLUMNS.format(
        columns='"Phone", "Hat", "이메일", "lastSeenAt"',
        options='--map "Phone=mobileNumber" --skip "Hat" --map "이메일=email" --skip "lastSeenAt"',
    )


def test_R_I5_the_refusal_never_proposes_a_key_already_taken():
    message = _refusal(["memberId", "Mobile", "Phone"], explicit={"Mobile": "mobileNumber"})
    assert message == m.UNMATCHED_COLUMNS.format(columns='"Phone"', options='--skip "Phone"')
    message = _refusal(["Mobile number", "Phone", "회원번호"], kind="lead", identifier="mobile")
    assert message == m.UNMATCHED_COLUMNS.format(
        columns='"Phone", "회원번호"', options='--skip "Phone" --skip "회원번호"'
    )


def test_R_I5_the_refusal_quotes_options_for_a_shell():
    message = _refusal(["memberId", 'Size "EU"', "Cost $"])
    assert message.endswith("Proposed: --skip 'Size \"EU\"' --skip 'Cost $'")


def test_R_I5_the_refusal_lists_ten_columns_then_how_many_more():
    extra = [f"C{i}" for i in range(1, 13)]
    message = _refusal(["memberId", *extra])
    assert message == m.UNMATCHED_COLUMNS.format(
        columns=", ".join(f'"{h}"' for h in extra[:10]) + " and 2 more",
        options=" ".join(f'--skip "{h}"' for h in extra[:10]) + " and 2 more",
    )
