from datetime import date

from sanxiang.lib.identifiers import (
    credit_code_check_char,
    is_valid_credit_code,
    is_valid_resident_id,
    resident_id_check_char,
)


def test_a_resident_id_with_the_right_check_digit_is_valid():
    head = "11010519491231002"
    assert is_valid_resident_id(head + resident_id_check_char(head))
    assert is_valid_resident_id("11010519491231002X")  # the standard's own example


def test_a_resident_id_with_a_wrong_check_digit_is_refused():
    assert not is_valid_resident_id("110105194912310021")


def test_a_lower_case_x_check_digit_is_accepted():
    assert is_valid_resident_id("11010519491231002x")


def test_a_resident_id_with_an_impossible_birth_date_is_refused():
    head = "11010519490231002"
    assert not is_valid_resident_id(head + resident_id_check_char(head))


def test_a_resident_id_born_before_1900_is_refused():
    head = "11010518991231002"
    assert not is_valid_resident_id(head + resident_id_check_char(head))


def test_a_resident_id_born_after_the_given_day_is_refused_and_on_that_day_accepted():
    head = "11010520260315002"
    number = head + resident_id_check_char(head)
    assert is_valid_resident_id(number)  # a real date; only the caller knows what "today" is
    assert not is_valid_resident_id(number, on=date(2026, 3, 14))
    assert is_valid_resident_id(number, on=date(2026, 3, 15))
    assert not is_valid_resident_id("110105491231002", on=date(1949, 12, 30))


def test_the_old_fifteen_digit_form_is_accepted_when_its_date_is_real():
    assert is_valid_resident_id("110105491231002")
    assert not is_valid_resident_id("110105491332002")


def test_wrong_lengths_letters_and_full_width_digits_are_refused():
    for bad in [
        "",
        "1101051949123100",
        "11010519491231002XX",
        "1101051949123100A2",
        "１１０１０５１９４９１２３１００２Ｘ",
    ]:
        assert not is_valid_resident_id(bad)


def test_a_known_credit_code_is_valid():
    assert is_valid_credit_code("91350100M000100Y43")
    assert is_valid_credit_code("91110000100006485K")


def test_a_credit_code_with_a_wrong_check_character_is_refused():
    assert not is_valid_credit_code("91350100M000100Y44")


def test_a_credit_code_with_forbidden_letters_or_length_is_refused():
    for bad in [
        "91350100M000100Y4",
        "91350100M000100I43",
        "91350100m000100y43",
        "9135A100M000100Y43",
    ]:
        assert not is_valid_credit_code(bad)


def test_the_check_character_is_computed_from_the_first_seventeen():
    assert credit_code_check_char("91350100M000100Y4") == "3"
