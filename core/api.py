"""What every API viewset shares: scoped querysets, rules permissions, errors, pagination.

Reads go through ``Model.objects.restrict(user)`` (an id outside it answers 404); the right to read
a kind of record at all is the ``view`` permission of the app's ``rules.py``; every write and
transition calls a service, whose ``DomainError`` becomes the JSON error below.

A request the schema rules out (a missing field, a wrong type or format, a length, range or choice
past its limit) answers 400. A request the schema allows but a rule it cannot state refuses — an
id of no record in the caller's jurisdiction, a rule across fields or against stored records (a
service's refusal) — answers 422; a refusal in the record's current state answers 409.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import models, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, filters, permissions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.relations import MANY_RELATION_KWARGS, ManyRelatedField
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.domain import DomainError
from core.filters import MAX_ID, FilterBackend
from core.paging import DeferredJoinPaginator


class TextField(serializers.CharField):
    """A string, and only a string: DRF's ``CharField`` also takes a number (``0`` as ``"0"``),
    which the schema's ``type: string`` rules out. A NUL in it is refused in words of its own
    (Django's Chinese message for it says "no empty string")."""

    default_error_messages = {"null_character": gettext_lazy("Text may not hold a NUL character.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if "\x00" in data:
            self.fail("null_character")
        return super().to_internal_value(data)


class NonNegativeDecimalField(serializers.DecimalField):
    """A decimal from 0 up (``min_value`` 0): its schema's pattern takes no sign."""

    def __init__(self, **kwargs):
        super().__init__(min_value=Decimal(0), **kwargs)


class NonNegativeDecimalFieldSchema(OpenApiSerializerFieldExtension):
    target_class = NonNegativeDecimalField

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        schema["pattern"] = schema["pattern"].replace("^-?", "^", 1)
        return schema


class ModelSerializer(serializers.ModelSerializer):
    """The API's model serializers: a model's text fields are ``TextField``s."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: TextField,
        models.TextField: TextField,
    }


class ErrorSerializer(serializers.Serializer):
    """The one shape of every error the API answers with."""

    code = serializers.CharField(help_text=gettext_lazy("A stable, machine-readable error code."))
    detail = serializers.CharField(help_text=gettext_lazy("The error, fit to show the user."))
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=gettext_lazy("Messages per field, for validation errors; empty otherwise."),
    )


def error_body(code: str, detail, errors: dict | None = None) -> dict:
    return {"code": str(code), "detail": str(detail), "errors": errors or {}}


def _field_errors(detail) -> dict:
    """DRF's validation detail as ``{field: [message, …]}`` (nested messages flattened)."""
    if isinstance(detail, dict):
        return {str(field): [str(m) for m in _leaves(value)] for field, value in detail.items()}
    return {"non_field_errors": [str(message) for message in _leaves(detail)]}


def _leaves(value):
    if isinstance(value, dict):
        for inner in value.values():
            yield from _leaves(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _leaves(inner)
    else:
        yield value


# Validation codes of a value the schema allows that names no record the caller may use.
UNKNOWN_RECORD_CODES = {"does_not_exist"}


class MalformedRequest(DomainError):
    """A request the schema rules out, found outside a serializer (a bulk body): a 400."""


def _status_of_refusal(exc: DomainError) -> int:
    """A service's rule refusal is a 422 to the API; a refusal by role or state keeps its own."""
    if exc.status_code == status.HTTP_400_BAD_REQUEST and not isinstance(exc, MalformedRequest):
        return status.HTTP_422_UNPROCESSABLE_ENTITY
    return exc.status_code


def _names_only_unknown_records(errors) -> bool:
    """Whether validation ``errors`` (DRF's detail) all say an id names no usable record."""
    codes = {getattr(message, "code", None) for message in _leaves(errors)}
    return bool(codes) and codes <= UNKNOWN_RECORD_CODES


def exception_handler(exc, context):
    """Every error as ``{"code", "detail", "errors"}`` with its status; messages in Chinese."""
    if isinstance(exc, DomainError):
        body = error_body(exc.code, exc.message, exc.errors)
        return Response(body, status=_status_of_refusal(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(
            "invalid", _("The request is not valid."), _field_errors(exc.detail)
        )
        if _names_only_unknown_records(exc.detail):
            response.status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        code = codes if isinstance(codes, str) else getattr(exc, "default_code", "error")
        detail = exc.detail if isinstance(exc, exceptions.APIException) else exc
        response.data = error_body(code, detail if isinstance(detail, str) else _("Error."))
    return response


ERROR_RESPONSES = {
    status.HTTP_400_BAD_REQUEST: OpenApiResponse(
        ErrorSerializer, description=gettext_lazy("Invalid request")
    ),
    status.HTTP_401_UNAUTHORIZED: OpenApiResponse(
        ErrorSerializer, description=gettext_lazy("Not signed in")
    ),
    status.HTTP_403_FORBIDDEN: OpenApiResponse(
        ErrorSerializer, description=gettext_lazy("Not allowed")
    ),
    status.HTTP_404_NOT_FOUND: OpenApiResponse(
        ErrorSerializer, description=gettext_lazy("No such record in your jurisdiction")
    ),
    # gunicorn refuses a request line over limit_request_line (4094 bytes, its default) before
    # Django sees it, so this one answer is gunicorn's HTML page, not the JSON error: documented
    # without a body rather than promised in a shape the API cannot give.
    status.HTTP_414_REQUEST_URI_TOO_LONG: OpenApiResponse(
        description=gettext_lazy(
            "Address too long (request line over 4094 bytes), refused by the web server as an "
            "HTML page"
        )
    ),
}
REFUSED_BY_A_RULE = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy(
        "Refused by a rule the schema cannot state: an id of no record in your jurisdiction,"
        " a rule across fields or against stored records (the errors say which)"
    ),
)
# A write whose record has no state to refuse it (a choice, a preference).
WRITE_ERRORS = {
    **ERROR_RESPONSES,
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: OpenApiResponse(
        ErrorSerializer, description=gettext_lazy("Body in a format the operation does not take")
    ),
    status.HTTP_422_UNPROCESSABLE_ENTITY: REFUSED_BY_A_RULE,
}
TRANSITION_ERRORS = {
    **WRITE_ERRORS,
    status.HTTP_409_CONFLICT: OpenApiResponse(
        ErrorSerializer, description=gettext_lazy("Refused in the record's current state")
    ),
}


# ``@action`` arguments of a write that answers the bare list it made (a bulk creation, a review's
# chosen rows): neither paged nor filtered, so the schema documents an array, not a list's page
# and its query parameters.
UNPAGED_LIST = {"pagination_class": None, "filter_backends": []}


def transition_schema(serializer, *, created: bool = False, request=None, description=""):
    """``extend_schema`` of a transition action: its body, its answer (201 when it adds a
    record), and the refusals it may meet."""
    return extend_schema(
        request=request,
        responses={201 if created else 200: serializer, **TRANSITION_ERRORS},
        description=description,
    )


def read_schemas(serializer) -> dict:
    """``extend_schema_view`` arguments for a viewset's list and detail."""
    answer = extend_schema(responses={200: serializer, **ERROR_RESPONSES})
    return {"list": answer, "retrieve": answer}


def write_schemas(serializer, *, create=None, update=None) -> dict:
    """``extend_schema_view`` arguments for create (``create`` body) and for update and partial
    update (``update`` body), each answering ``serializer``."""
    schemas = {}
    if create is not None:
        schemas["create"] = extend_schema(
            request=create, responses={201: serializer, **TRANSITION_ERRORS}
        )
    if update is not None:
        changed = extend_schema(request=update, responses={200: serializer, **TRANSITION_ERRORS})
        schemas |= {"update": changed, "partial_update": changed}
    return schemas


# A delete's answer: 204 with no body, or the refusal of a record no longer deletable.
DELETED = extend_schema(responses={204: None, **TRANSITION_ERRORS})


def state_what_requests_must_hold(result, generator, request, public):
    """drf-spectacular postprocessing hook, for what DRF checks but does not tell the schema:
    a text holds no NUL (a body's, and a free-text query parameter's: a list's search), and one
    that may not be blank not only spaces (DRF trims them first); a file holds at least a byte; a
    decimal has a digit before and after its point; a bulk body holds 1 to ``API_BULK_MAX``
    records."""
    components = result.get("components", {}).get("schemas", {})
    for name in _request_components(result):
        _require_visible_text(components[name])
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            if isinstance(operation, dict):
                _refuse_nul_in_free_text_parameters(operation)
        if path.endswith("/bulk/"):
            for content in operations["post"]["requestBody"]["content"].values():
                content["schema"].update(minItems=1, maxItems=settings.API_BULK_MAX)
    return result


def _refuse_nul_in_free_text_parameters(operation: dict) -> None:
    """A filter's query parameter of free text (no choices, no format: a search) holds no NUL
    either: the filter's form refuses it, as a body's text. Not DRF's ordering parameter, which
    no form reads: it leaves out a field it does not know."""
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        free_text = schema.get("type") == "string" and not schema.keys() & {"enum", "format"}
        ordering = parameter["name"] == api_settings.ORDERING_PARAM
        filtered = parameter.get("in") == "query" and not ordering
        if filtered and free_text and "pattern" not in schema:
            schema["pattern"] = TEXT_PATTERN


def _request_components(result) -> set[str]:
    """The components a request body refers to, directly or through another component (a
    response's component may end in "Request" too: ``ExtensionRequest``)."""
    components = result.get("components", {}).get("schemas", {})
    bodies = [
        operation["requestBody"]
        for operations in result.get("paths", {}).values()
        for operation in operations.values()
        if isinstance(operation, dict) and "requestBody" in operation
    ]
    found: set[str] = set()
    pending = _references(bodies)
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            pending |= _references(components[name])
    return found


def _references(value) -> set[str]:
    if isinstance(value, dict):
        own = {value["$ref"].rsplit("/", 1)[-1]} if "$ref" in value else set()
        return own.union(*(_references(inner) for inner in value.values()))
    if isinstance(value, list):
        return set().union(*(_references(inner) for inner in value))
    return set()


LAST_SPACE = 0x3000  # no character past U+3000 is a space to Python (tests/api/test_error_status)


def _spaces_class() -> str:
    """The characters ``str.strip()`` removes, as a regular expression's class body: ECMA's
    ``\\s``, which the schema's patterns are read with, is not Python's (``\\x1c``–``\\x1f``,
    ``\\ufeff``)."""
    return "".join(f"\\u{code:04x}" for code in range(LAST_SPACE + 1) if chr(code).isspace())


# A text holds no NUL (the API refuses it: PostgreSQL cannot store one) and a required one a
# character DRF does not trim away before it checks the text is not blank.
TEXT_PATTERN = r"^[^\u0000]*$"
VISIBLE_TEXT_PATTERN = rf"^[^\u0000]*[^\u0000{_spaces_class()}][^\u0000]*$"


LINKED_METHODS = {"get", "post", "put", "patch", "delete"}
FIRST_LISTED = "$response.body#/results/0/id"


def link_the_operations(result, generator, request, public):
    """drf-spectacular postprocessing hook: OpenAPI links, which clients and schemathesis'
    stateful phase follow. The record a collection's POST creates, and the first one its GET
    lists, is the ``id`` of every operation on ``<collection>{id}/…``; an operation on a record
    leads to the others on the same record."""
    paths = result.get("paths", {})
    for collection, operations in paths.items():
        on_a_record = {
            operation["operationId"]: operation
            for path, record_operations in paths.items()
            if path.startswith(f"{collection}{{id}}/")
            for method, operation in record_operations.items()
            if method in LINKED_METHODS
        }
        sources = [
            (operations.get("post"), "201", "$response.body#/id"),
            (operations.get("get"), "200", FIRST_LISTED),
            *((operation, None, "$request.path.id") for operation in on_a_record.values()),
        ]
        for operation, code, expression in sources:
            response = _success_of(operation, code)
            if response is None or (expression == FIRST_LISTED and not _is_a_page(response)):
                continue
            response["links"] = {
                target: {"operationId": target, "parameters": {"id": expression}}
                for target in on_a_record
                if target != operation["operationId"]
            }
    return result


def _success_of(operation: dict | None, code: str | None) -> dict | None:
    """The operation's response of ``code``, or its first 2xx that has a body."""
    if operation is None:
        return None
    responses = operation["responses"]
    if code is not None:
        return responses.get(code)
    return next(
        (
            answer
            for status_code, answer in responses.items()
            if status_code.startswith("2") and "content" in answer
        ),
        None,
    )


def _is_a_page(response: dict) -> bool:
    schemas = [content.get("schema", {}) for content in response.get("content", {}).values()]
    return any(schema.get("$ref", "").split("/")[-1].startswith("Paginated") for schema in schemas)


def _require_visible_text(schema: dict) -> None:
    inner = [
        *schema.get("properties", {}).values(),
        *([schema["items"]] if "items" in schema else []),
        *schema.get("oneOf", []),
    ]
    for part in inner:
        _require_visible_text(part)
    if schema.get("format") == "binary":  # DRF's FileField refuses an empty file
        schema.setdefault("minLength", 1)
    plain_text = schema.get("type") == "string" and not {"format", "enum", "pattern"} & set(schema)
    if plain_text:
        visible = schema.get("minLength", 0) >= 1
        schema["pattern"] = VISIBLE_TEXT_PATTERN if visible else TEXT_PATTERN
    if schema.get("format") == "decimal" and "pattern" in schema:
        schema["pattern"] = schema["pattern"].replace(r"\d{0,", r"\d{1,")


class Pagination(PageNumberPagination):
    """``?page=`` (from 1) and ``?page_size=`` (1 to ``max_page_size``), each a whole number: any
    other value is refused (400), never quietly replaced by the default or cut, so a client that
    pages through a large list knows what it gets. A page past the last one is a 404. Each page
    is read by its ids first (``core.paging``)."""

    django_paginator_class = DeferredJoinPaginator

    page_size_query_param = "page_size"
    max_page_size = 200
    page_size_query_description = gettext_lazy("Number of results per page, at most 200.")

    def get_page_size(self, request):
        return _whole_number(request, self.page_size_query_param, self.max_page_size) or (
            self.page_size
        )

    def get_page_number(self, request, paginator):
        return _whole_number(request, self.page_query_param) or 1

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update(minimum=1)
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


def _whole_number(request, name: str, maximum: int | None = None) -> int | None:
    """The query parameter ``name`` as a whole number from 1 (to ``maximum``); None if absent."""
    if name not in request.query_params:
        return None
    too_many = _("At most %(max)d results per page.") % {"max": maximum} if maximum else None
    number = serializers.IntegerField(
        min_value=1, max_value=maximum, error_messages={"max_value": too_many}
    )
    try:
        return number.run_validation(request.query_params[name])
    except exceptions.ValidationError as refusal:
        raise exceptions.ValidationError({name: refusal.detail}) from refusal


class CanViewModel(permissions.BasePermission):
    """The app's ``view_<model>`` rule, checked without an object (the role may read the kind).

    Which rows are visible is ``restrict``'s business; the object checks of writes are the
    services'.
    """

    def has_permission(self, request, view):
        model = view.get_queryset().model
        return request.user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")


def visible_ids(lookup: str, model, user) -> models.Prefetch:
    """A many-to-many relation prefetched as the ids of the far rows the user may see: a reader
    is never told that a case or problem out of their scope is linked."""
    return models.Prefetch(lookup, queryset=model.objects.restrict(user).only("pk"))


class ScopedViewSetMixin:
    """``queryset`` is the unrestricted base (with its joins); each request sees its own scope.

    ``scoped_relations`` maps the many-to-many relations the serializer lists as ids to their
    far model, whose rows are cut to the reader's scope too (``visible_ids``).
    """

    permission_classes = [permissions.IsAuthenticated, CanViewModel]
    scoped_relations: dict[str, type[models.Model]] = {}

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        user = self.request.user
        return queryset.restrict(user).prefetch_related(
            *(visible_ids(lookup, model, user) for lookup, model in self.scoped_relations.items())
        )

    def fresh(self, instance):
        """The object re-read after a change, with the reader's joins and prefetches."""
        return self.get_queryset().get(pk=instance.pk)


class RecordIdList(ManyRelatedField):
    """Records by their ids: a JSON array only (DRF's takes any iterable, so an object's keys
    would pass for the ids — ``{}`` for none — against the schema's ``type: array``)."""

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)


class RecordIdField(serializers.PrimaryKeyRelatedField):
    """A record by its id; an id no database key can hold (outside 1 to ``MAX_ID``) names none.

    In a bulk call, ``read_ahead`` reads the records every row names at once (the context's
    ``read_ahead``) and each row's field answers from what it read, without a query of its own.
    """

    @classmethod
    def many_init(cls, *args, **kwargs):
        shared = {key: kwargs[key] for key in kwargs if key in MANY_RELATION_KWARGS}
        return RecordIdList(child_relation=cls(*args, **kwargs), **shared)

    def lookup_key(self, data):
        """What ``data`` names a record by, or None to leave it to DRF's own lookup."""
        return data if type(data) is int else None

    def read_many(self, keys) -> dict:
        """The records the field takes among ``keys``, by key."""
        ids = [key for key in keys if 0 < key <= MAX_ID]
        return self.get_queryset().in_bulk(ids) if ids else {}

    def to_internal_value(self, data):
        key = self.lookup_key(data)
        if key is None:
            return super().to_internal_value(data)
        ahead = self.context.get("read_ahead", {}).get(self.field_name, {})
        record = ahead[key] if key in ahead else self.read_many([key]).get(key)
        if record is None:
            self.fail("does_not_exist", pk_value=data)
        return record


class ScopedPrimaryKeyRelatedField(RecordIdField):
    """An id chosen from what the requesting user may see; any other id is "does not exist"."""

    def get_queryset(self):
        return super().get_queryset().restrict(self.context["request"].user)


def read_ahead(serializer, rows: list) -> dict:
    """For each ``RecordIdField`` of ``serializer``, the record each key the ``rows`` give it
    names (None for none), read with one query a field rather than one a row."""
    ahead = {}
    for name, field in serializer.fields.items():
        if not isinstance(field, RecordIdField):
            continue
        given = (field.lookup_key(row.get(name)) for row in rows if isinstance(row, dict))
        keys = {key for key in given if key is not None}
        found = field.read_many(keys) if keys else {}
        ahead[name] = {key: found.get(key) for key in keys}
    return ahead


def detail_or_created(serializer_class, instance, view, *, created: bool = False) -> Response:
    data = serializer_class(instance, context=view.get_serializer_context()).data
    return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def changed_fields(serializer_class, view, *, partial: bool = False) -> dict:
    """The fields the request body sets, checked by ``serializer_class``: all of them for a PUT,
    those sent for a PATCH (``partial``)."""
    serializer = serializer_class(
        data=view.request.data, partial=bool(partial), context=view.get_serializer_context()
    )
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def validated(serializer_class, view) -> dict:
    """The request body checked by ``serializer_class`` (a 400 with field errors otherwise)."""
    serializer = serializer_class(data=view.request.data, context=view.get_serializer_context())
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def bulk_create(view, write_serializer, read_serializer, create, save=None) -> Response:
    """``POST …/bulk/``: a JSON array of what ``POST …/`` takes, created all together or not at all.

    Every row is checked first (``write_serializer``; the records the rows name are read at once,
    ``read_ahead``), then each is created by ``create`` (the service, row by row, in one
    transaction) — or, given ``save``, checked by ``create`` and then created together by
    ``save()``, which returns the records (``reforms.services.MeasurePlan``). A refusal names its
    row: ``errors`` keys are ``"<row>.<field>"``, rows counted from 1; nothing is saved.
    """
    rows = view.request.data
    limit = settings.API_BULK_MAX
    if not isinstance(rows, list) or not rows:
        raise MalformedRequest(_("Send a JSON array of records."))
    if len(rows) > limit:
        raise MalformedRequest(_("At most %(max)d records per call.") % {"max": limit})
    context = view.get_serializer_context()
    context["read_ahead"] = read_ahead(write_serializer(context=context), rows)
    checked, failures = [], {}
    for number, row in enumerate(rows, start=1):
        serializer = write_serializer(data=row, context=context)
        if serializer.is_valid():
            checked.append(serializer.validated_data)
        else:
            failures[number] = serializer.errors
    if failures:
        refusal = DomainError if _names_only_unknown_records(failures) else MalformedRequest
        raise refusal(
            _("Some records are not valid: nothing was saved."),
            errors={
                f"{number}.{field}": messages
                for number, row_errors in failures.items()
                for field, messages in _field_errors(row_errors).items()
            },
        )
    created = []
    with transaction.atomic():
        for number, data in enumerate(checked, start=1):
            try:
                created.append(create(data))
            except DomainError as refusal:
                row_errors = refusal.errors or {"non_field_errors": [str(refusal.message)]}
                raise type(refusal)(
                    _("Record %(row)d: %(message)s") % {"row": number, "message": refusal.message},
                    code=refusal.code,
                    errors={
                        f"{number}.{field}": messages for field, messages in row_errors.items()
                    },
                ) from refusal
        if save is not None:
            created = save()
    data = read_serializer(created, many=True, context=context).data
    return Response(data, status=status.HTTP_201_CREATED)


class TieBreakingOrderingFilter(filters.OrderingFilter):
    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not any(field.lstrip("-") in ("pk", "id") for field in ordering):
            ordering = [*ordering, "-pk" if ordering[-1].startswith("-") else "pk"]
        return ordering


class Ordered:
    """``?ordering=`` for lists whose FilterSet has no ordering of its own (measures and cases
    sort through theirs); the primary key breaks ties so pages never overlap."""

    filter_backends = [FilterBackend, TieBreakingOrderingFilter]
    ordering_fields: list[str] = []
