"""Model fields whose values are stored sealed with SM4-GCM (``keyring``).

The model, forms, serializers, exports and PDFs see the plaintext: a value is sealed on its way
into the database (``get_db_prep_value``) and opened on its way out (``from_db_value``). The
column is ``text`` whatever the field, and the database can no longer compare, sort, sum or
search it: every lookup but ``isnull`` is refused (a ``FieldError`` rather than a silent empty
result), and a field searched for an exact value gets a ``BlindIndexField`` beside it.

The field's own limits (length, digits, minimum) are checked by its validators as before, and
once more on the way in, where the database's CHECK constraints stood for clear text: a bulk
write cannot store an over-long text or a negative amount (``IntegrityError``). Nor can a value
the database would compute (``update(name=Concat(…))``): it would be stored in clear. Lengths are
not hidden: a sealed value is as long as its text plus 28 bytes, base64-encoded.
"""

from decimal import Decimal

from django.core.exceptions import FieldError, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, models
from django.db.models import Case, Value
from django.db.models.functions import Cast

from .keyring import keyring


class SealedMixin:
    """Seal on the way in, open on the way out; only ``isnull`` as a lookup."""

    def get_internal_type(self):
        return "TextField"  # the column, and no backend converter meant for the clear type

    @property
    def context(self) -> bytes:
        return f"{self.model._meta.label_lower}.{self.name}".encode()

    def to_text(self, value) -> str:
        return str(value)

    def from_text(self, text: str):
        return text

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return self.from_text(keyring().open(value, self.context).decode())

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        if value is None:
            return None
        try:
            self.run_validators(value)
        except ValidationError as error:
            raise IntegrityError(f"{self.context.decode()}: {' '.join(error.messages)}") from error
        return keyring().seal(self.to_text(value).encode(), self.context)

    def get_placeholder(self, value, compiler, connection):
        """Refuse a value the database would compute (``update(name=Concat(…))``): it would be
        stored in clear. ``bulk_update``'s CASE of values sealed here is fine."""
        if hasattr(value, "as_sql") and not _sealed_here(value):
            raise FieldError(
                f"{self.context.decode()} is sealed: assign it a value, not a database expression."
            )
        return "%s"

    def get_lookup(self, lookup_name):
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def get_transform(self, name):
        return None


def _sealed_here(expression) -> bool:
    """A value expression this module seals (``Value`` of a sealed field), or a CASE of them."""
    if isinstance(expression, Value):
        return expression.value is None or isinstance(expression._output_field_or_none, SealedMixin)
    if isinstance(expression, Cast):  # bulk_update casts its CASE on PostgreSQL
        return _sealed_here(expression.get_source_expressions()[0])
    if isinstance(expression, Case):
        results = [when.result for when in expression.cases] + [expression.default]
        return all(_sealed_here(result) for result in results)
    return False


class SealedCharField(SealedMixin, models.CharField):
    """A short text (a name, a position) stored sealed; ``max_length`` counts its characters."""


class SealedTextField(SealedMixin, models.TextField):
    """Free text stored sealed, with the limit ``core.domain.BoundedTextField`` would give it."""

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        self.validators.append(MaxLengthValidator(self.max_length))


class SealedDecimalField(SealedMixin, models.DecimalField):
    """An amount stored sealed: compared, summed and sorted in Python, never by the database."""

    def to_text(self, value: Decimal) -> str:
        return format(value.quantize(Decimal(1).scaleb(-self.decimal_places)), "f")

    def from_text(self, text: str) -> Decimal:
        return Decimal(text)


class BlindIndexField(models.CharField):
    """HMAC-SM3 of the normalised value of ``source`` (a sealed field): exact-match search.

    Set whenever the row is saved or bulk-created (``pre_save``); a ``bulk_update`` or
    ``QuerySet.update`` of the source must name this field too. ``keyring.normalise_for_index``
    says what counts as the same value (full-width letters, case, spaces).
    """

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.source)
        index = keyring().blind_index(value) if value else ""
        setattr(model_instance, self.attname, index)
        return index
