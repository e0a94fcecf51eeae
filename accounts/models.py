"""Users and the organisation tree their jurisdiction is cut from."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from . import roles
from .roles import Role
from .scoping import jurisdiction_paths, jurisdiction_q


class Sector(models.TextChoices):
    """行业领域: one shared taxonomy for units and cases, so analysis can compare sectors."""

    CONSTRUCTION = "construction", _("Construction and engineering")
    EDUCATION = "education", _("Education")
    HEALTHCARE = "healthcare", _("Healthcare")
    RURAL_REVITALISATION = "rural", _("Rural revitalisation")
    ENVIRONMENT = "environment", _("Ecology and environment")
    STATE_ENTERPRISE = "state_enterprise", _("State assets and enterprises")
    NATURAL_RESOURCES = "natural_resources", _("Natural resources")
    WATER = "water", _("Water resources")
    FINANCE = "finance", _("Finance")
    GRAIN = "grain", _("Grain purchase and storage")
    LAW_ENFORCEMENT = "law_enforcement", _("Politics and law")
    OTHER = "other", _("Other")


class OrgUnitQuerySet(MP_NodeQuerySet):
    unit_lookup = ""  # like ``ScopedQuerySet.unit_lookup``: the rows are the org units themselves

    def restrict(self, user):
        """Case readers and officers see their jurisdiction; admins of the system see the tree."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if roles.covers_whole_tree(user):
            return self.all()
        if not roles.works_in_jurisdiction(user):
            return self.none()
        return self.filter(jurisdiction_q(user, self.unit_lookup))


class OrgUnitManager(MP_NodeManager.from_queryset(OrgUnitQuerySet)):
    def get_queryset(self):
        # treebeard's manager hard-codes its own queryset class; keep its tree order.
        return OrgUnitQuerySet(self.model, using=self._db).order_by("path")


class OrgUnit(MP_Node):
    """A node of the organisation tree: a region, a commission, a dispatched group or a unit."""

    class Kind(models.TextChoices):
        REGION = "region", _("Region")
        COMMISSION = "commission", _("Discipline commission")
        GROUP = "group", _("Dispatched inspection group")
        UNIT = "unit", _("Unit")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    doc_abbr = models.CharField(
        _("document abbreviation"),
        max_length=16,
        blank=True,
        help_text=_("机关代字 used in document numbers, e.g. 长纪 in 长纪建〔2021〕3号."),
    )
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices, blank=True)
    posted_to = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="dispatched_groups",
        verbose_name=_("posted to"),
        help_text=_("For a dispatched group: the units it supervises."),
    )
    party_head = models.ForeignKey(
        "User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("party organisation head"),
        help_text=_("The head of the unit's party organisation: overdue reminders go to them."),
    )

    node_order_by = ["name"]
    objects = OrgUnitManager()

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        indexes = [
            # Subtree filters are `path LIKE 'prefix%'`; PostgreSQL needs pattern ops for that.
            models.Index(
                fields=["path"], name="orgunit_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.doc_abbr and self.kind not in {self.Kind.COMMISSION, self.Kind.GROUP}:
            raise ValidationError(
                {"doc_abbr": _("Only a commission or dispatched group issues documents.")}
            )


class UserQuerySet(models.QuerySet):
    def restrict(self, user):
        """Account admins see every account; others see the accounts of their jurisdiction."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if roles.covers_whole_tree(user):
            return self.all()
        if not roles.works_in_jurisdiction(user):
            return self.filter(pk=user.pk)
        return self.filter(jurisdiction_q(user, "org_unit"))

    # Who is told what: the accounts of one kind (active or not; callers say which they need).

    def unit_officers(self):
        return self.filter(roles.UNIT_OFFICERS)

    def discipline_staff(self):
        return self.filter(roles.DISCIPLINE_STAFF)

    def supervisors(self):
        return self.filter(roles.SUPERVISORS)

    def case_readers(self):
        """Discipline staff and supervisors."""
        return self.filter(roles.CASE_READER_ACCOUNTS)

    def covering(self, unit: "OrgUnit"):
        """The accounts whose jurisdiction covers ``unit``: their node is the unit or above it,
        or they belong to a group posted to it or above it."""
        paths = [unit.path[:end] for end in range(unit.steplen, len(unit.path) + 1, unit.steplen)]
        return self.filter(Q(org_unit__path__in=paths) | Q(org_unit__posted_to__path__in=paths))

    def system_admins(self):
        return self.filter(roles.SYSTEM_ADMINS)

    def audit_admins(self):
        return self.filter(roles.AUDIT_ADMINS)


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person with one role, belonging to one org node (the root of their jurisdiction)."""

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    title = models.CharField(_("position"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("organisation unit"),
    )
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_(
            "Set when an administrator creates the account or sets its password; the user must "
            "choose a new password before doing anything else."
        ),
    )

    objects = ScopedUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(role="") | Q(org_unit__isnull=False),
                name="user_with_role_has_org_unit",
                violation_error_message=_(
                    "A user with a role must belong to an organisation unit."
                ),
            ),
        ]

    def __str__(self):
        return self.full_name or self.username

    def clean(self):
        super().clean()
        if (
            roles.officer_of_a_unit(self)
            and self.org_unit
            and self.org_unit.kind != OrgUnit.Kind.UNIT
        ):
            raise ValidationError({"org_unit": _("A case-unit officer must belong to a unit.")})

    @property
    def jurisdiction_paths(self) -> list[str]:
        return jurisdiction_paths(self)


class ApiToken(models.Model):
    """A user's API token (``Authorization: Token …``), kept only as its HMAC-SM3 digest under
    ``API_TOKEN_KEY`` (密评, GB/T 39786-2021 §8.4 e): the token itself is shown once, when it is
    issued (``accounts/tokens.py``), and a copy of the database gives no working token. One per
    user: obtaining a new one replaces it. Not scoped: the security administrator sees every
    token in the back office, and nobody else reads them."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="api_token", verbose_name=_("user")
    )
    digest = models.CharField(_("token digest"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        _("prefix"),
        max_length=8,
        editable=False,
        help_text=_("The token's first characters, to tell tokens apart; not enough to use it."),
    )
    created = models.DateTimeField(_("issued"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.user.get_username()} {self.prefix}…"
