"""Every region's example numbers from phonenumbers, in E.164: what the phone tests try."""

import phonenumbers

NUMBER_TYPES = [getattr(phonenumbers.PhoneNumberType, n) for n in ("MOBILE", "FIXED_LINE")]
OTHER_NUMBER_TYPES = [
    getattr(phonenumbers.PhoneNumberType, n)
    for n in ("TOLL_FREE", "PREMIUM_RATE", "SHARED_COST", "VOIP", "PERSONAL_NUMBER", "PAGER")
    + ("UAN", "VOICEMAIL")
]


def _example_numbers(number_types):
    found = set()
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for number_type in number_types:
            number = phonenumbers.example_number_for_type(region, number_type)
            if number is not None and phonenumbers.is_valid_number(number):
                found.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    for code in phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS:
        number = phonenumbers.example_number_for_non_geo_entity(code)
        if number is not None and phonenumbers.is_valid_number(number):
            found.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return sorted(found)


E164_EXAMPLES = _example_numbers(NUMBER_TYPES)
ALL_E164_EXAMPLES = _example_numbers(NUMBER_TYPES + OTHER_NUMBER_TYPES)
