"""The run summary's line for product ids on deal lines that the exported products do not have
(pipelines/lib/ingest/mapping/notices.py): counts and money as the marts give them, the catalogue's product of the
same letters when there is one, at most five ids named."""

from __future__ import annotations

from decimal import Decimal

from pipelines.lib.ingest.mapping.product_notice import missing_products_message

CATALOGUE = [("GTX Pro", "GTX Pro"), ("P-7", "MG Special"), ("GTK 500", "GTK 500")]


def test_nothing_missing_says_nothing() -> None:
    assert missing_products_message([], CATALOGUE) is None


def test_one_id_of_another_spelling_names_the_catalogues_product() -> None:
    said = missing_products_message([("GTXPro", 1, 1, Decimal("4789.995"))], CATALOGUE)
    assert said == (
        "1 product id on deal lines is not in the products file: 'GTXPro' (1 line, 1 won deal, revenue 4,790.00; the "
        "products file has 'GTX Pro'). Its revenue still counts, in product_performance under the id as written, but "
        "with no name or family: give the lines and the products the same ids (in a mapping, the same expression for "
        "both product_id columns)."
    )


def test_a_name_of_the_catalogue_is_matched_too_and_more_than_five_ids_are_counted() -> None:
    missing = [
        ("mg-special", 3, 2, Decimal("120")),
        ("gtk_500", 2, 0, None),  # only open deals: nothing won
        *((f"X{n}", 1, 1, Decimal(n)) for n in range(5)),
    ]
    said = missing_products_message(missing, CATALOGUE)
    assert said is not None
    assert said.startswith(
        "7 product ids on deal lines are not in the products file: 'mg-special' (3 lines, 2 won deals, revenue "
        "120.00; the products file has 'P-7'), 'gtk_500' (2 lines, 0 won deals, revenue 0.00; the products file has "
        "'GTK 500'), 'X0' (1 line, 1 won deal, revenue 0.00), 'X1' (1 line, 1 won deal, revenue 1.00), 'X2' (1 line, "
        "1 won deal, revenue 2.00) and 2 more. Their revenue still counts"
    )
