"""Builds the demo story of ``demo/data/`` (see ``demo.story``) through the domain's services.

``build_demo()`` builds it in one transaction, once: when the demo's root commission already exists
it changes nothing and returns the demo logins again. Every state change goes through the services
(``recommendations.services``, ``reforms.services``) so history rows exist and the rules hold;
cases, subjects, problems, analyses, rule changes, activities and follow-ups have no services and
are written directly.

Dates are relative to today (Asia/Shanghai), so the overdue picture looks the same whenever the demo
is built; ``demo.clock.Clock`` moves each record to the day the story puts it on, so the timelines
read like months of work rather than one afternoon.

Last, today's follow-through, through the services: a reconciliation round over the 汽开区 letter
with rows answered, confirmed and returned; a second review of the 校园餐 letter that finds a
measure rebounded (reopened); a new problem in a healthcare case flagged as a possible rebound;
and the city's cross-case analysis (类案分析) of its construction cases, with its findings.

The story follows the press articles in ``domain/seeds``: the 长春汽开区 series of four cases and
its 13-item recommendation, a hospital series in the healthcare sector, and smaller county cases.
"""

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import OrgUnit, User
from accounts.roles import Role
from campaigns import services as campaign_services
from campaigns.models import Campaign, CampaignUnit
from cases import services as case_services
from cases import typical
from cases.models import Case, CaseAnalysis, Problem, ProcessStage, Subject, ViolationType
from core.domain import shanghai_today
from crosscase import analysis as crosscase
from negativelists import services as negative_list_services
from recommendations import evaluation
from recommendations import services as recommendation_services
from reforms import reconciliation
from reforms import services as reform_services
from reforms.models import Activity, FollowUp, Measure, RuleChange

from .clock import Clock, pdf_bytes
from .story import DEMO_PASSWORD, DEMO_USERNAMES, HEADLINE_USERNAMES, ROOT, load

__all__ = ["DEMO_PASSWORD", "HEADLINE_USERNAMES", "DemoExists", "build_demo", "demo_logins"]


ANALYSIS_FIELDS = ("trajectory", "root_causes", "loopholes", "lessons")


class DemoExists(Exception):
    """The database holds something that clashes with the demo (it refuses to build over it)."""


class Builder:
    def __init__(self):
        self.organisation = load("organisation")
        self.texts = load("measures")
        self.today = shanghai_today()
        self.rng = random.Random(self.organisation["random_seed"])
        self.clock = Clock(self.today)
        self.units: dict[str, OrgUnit] = {}
        self.users: dict[str, User] = {}
        self.cases: dict[str, Case] = {}
        self.problems = {}
        self.recommendations = {}
        self.measures: dict[str, list[Measure]] = defaultdict(list)
        self.evidence_serial = 0

    def day(self, offset: int) -> datetime.date:
        return self.today + datetime.timedelta(days=offset)

    def on(self, offset: int):
        return self.clock.on(self.day(min(offset, 0)))

    # Organisation and people ────────────────────────────────────────────────────────────────────
    def build_org_tree(self):
        root_key = self.organisation["root"]
        self.units[root_key] = OrgUnit.objects.add_root(
            {"name": ROOT["name"], "kind": ROOT["kind"], "doc_abbr": ROOT["doc_abbr"]}
        )
        # Units at the top of the city (parent null) hang under the root commission.
        for key, spec in self.organisation["units"].items():
            if key == root_key:
                continue
            fields = {name: spec[name] for name in ("name", "kind", "sector", "doc_abbr")}
            self.units[key] = OrgUnit.objects.add_child(
                self.units[spec["parent"] or root_key], fields
            )
        # Sorted insertion moves siblings' paths: read every node back before using it.
        fresh = OrgUnit.objects.in_bulk([unit.pk for unit in self.units.values()])
        self.units = {key: fresh[unit.pk] for key, unit in self.units.items()}
        for group, targets in self.organisation["posted_to"].items():
            self.units[group].posted_to.set([self.units[key] for key in targets])

    def build_users(self):
        # One hash for the shared password: hashing is deliberately slow.
        password = make_password(DEMO_PASSWORD)
        joined = timezone.now() - datetime.timedelta(days=self.organisation["joined_days_ago"])
        for spec in self.organisation["users"]:
            user = User(
                **{name: spec[name] for name in ("username", "role", "full_name", "title")},
                password=password,
                org_unit=self.units[spec["org"]],
                email=f"{spec['username']}@{self.organisation['email_domain']}",
                date_joined=joined,
            )
            user.full_clean(exclude=["password"])
            user.save()
            self.users[spec["username"]] = user

    def staff_for(self, commission: OrgUnit) -> User:
        staff = self.organisation["commission_staff"]
        for key, username in staff.items():
            if key != "*" and self.units[key].pk == commission.pk:
                return self.users[username]
        return self.users[staff["*"]]

    def officer_of(self, unit: str) -> str:
        return next(
            user["username"]
            for user in self.organisation["users"]
            if user["role"] == Role.UNIT_OFFICER and user["org"] == unit
        )

    # Cases and problems ─────────────────────────────────────────────────────────────────────────
    def build_cases(self):
        story = load("cases")
        violation_types = {}
        for spec in story["cases"]:
            for name in spec["violations"]:
                if name not in violation_types:
                    violation_types[name] = ViolationType.objects.get_or_create(name=name)[0]
        serials = defaultdict(lambda: 10)
        for spec in story["cases"]:
            self.cases[spec["key"]] = self.build_case(spec, violation_types, serials)
        for series in story["linked_series"]:
            cases = [self.cases[key] for key in series]
            for case in cases:
                case.linked_cases.set([other for other in cases if other != case])
        stages = {stage.name: stage for stage in ProcessStage.objects.all()}
        for key, spec in story["problems"].items():
            case = self.cases[spec["case"]]
            stage = spec["process_stage"]
            if stage not in stages:
                stages[stage] = ProcessStage.objects.get_or_create(name=stage)[0]
            with self.clock.on(case.closed_on or self.day(0)):
                self.problems[key] = Problem.objects.create(
                    case=case,
                    unit=self.units[spec["unit"]] if spec["unit"] else case.case_unit,
                    category=spec["category"],
                    process_stage=stages[stage],
                    description=spec["description"],
                )
        for spec in story["cases"]:
            if "typical" in spec:
                self.mark_typical(self.cases[spec["key"]], spec)

    def mark_typical(self, case: Case, spec):
        """典型案例: chosen for warning education a month after the case closed."""
        with self.on(spec["closed"] + 30):
            typical.case_mark_typical(
                case=case, actor=self.staff_for(case.commission), **spec["typical"]
            )

    def build_case(self, spec, violation_types, serials) -> Case:
        commission = self.units[spec["commission"]]
        opened, closed = spec["opened"], spec["closed"]
        opened_on = self.day(opened)
        serial_key = (commission.pk, opened_on.year)
        serials[serial_key] += self.rng.randint(3, 17)
        with self.on(opened):
            case = Case.objects.create(
                number=f"{commission.doc_abbr}立〔{opened_on.year}〕{serials[serial_key]}号",
                title=spec["title"],
                commission=commission,
                case_unit=self.units[spec["unit"]],
                sector=spec["sector"],
                level=spec["level"],
                amount=Decimal(spec["amount"]),
                status=Case.Status.INVESTIGATING if closed is not None else spec["status"],
                opened_on=opened_on,
                summary=spec["summary"],
                created_by=self.staff_for(commission),
            )
            case.violation_types.set([violation_types[name] for name in spec["violations"]])
            for subject in spec["subjects"]:
                Subject.objects.create(
                    case=case,
                    name=subject["name"],
                    position=subject["position"],
                    is_top_leader=subject["top_leader"],
                    disposition=subject["disposition"],
                )
        if closed is not None:
            with self.on(closed):
                case.status = spec["status"]
                case.closed_on = self.day(closed)
                case.save()
        analysed = closed + 20 if closed is not None else None
        with self.on(analysed if analysed is not None else opened + 10):
            CaseAnalysis.objects.create(
                case=case,
                **{name: spec[name] for name in ANALYSIS_FIELDS},
                author=self.staff_for(commission),
                completed_on=self.day(min(analysed, 0)) if analysed is not None else None,
            )
        return case

    # Recommendations: each one drafted, then its story played step by step ─────────────────────
    def build_recommendations(self):
        for letter in load("recommendations"):
            recommendation = self.draft(letter)
            for step in letter["story"]:
                if step["do"] == "plan_measures":  # many days: each measure's story
                    self.plan_measures(
                        recommendation,
                        letter["items"],
                        recipient=letter["recipient"],
                        officer=self.users[step["officer"]],
                        staff=self.users[step["staff"]],
                        planned=step["on"],
                        shift=step.get("shift", 0),
                    )
                    continue
                with self.on(step["on"]):
                    self.step(recommendation, step)

    def draft(self, letter):
        actor = self.users[letter["staff"]]
        with self.on(letter["drafted"]):
            recommendation = recommendation_services.recommendation_create(
                actor=actor,
                title=letter["title"],
                issuer=self.units[letter["issuer"]],
                recipient_unit=self.units[letter["recipient"]],
                cases=[self.cases[case] for case in letter["cases"]],
                reply_due_on=self.day(letter["reply_due"]),
                kind=letter["kind"],
                recipient_name=letter["recipient_name"],
                preamble=letter["preamble"],
                copied_to=letter.get("copied_to", ""),
            )
            for item in letter["items"]:
                recommendation_services.recommendation_item_add(
                    recommendation=recommendation,
                    actor=actor,
                    content=item["content"],
                    problems=[self.problems[problem] for problem in item["problems"]],
                )
        self.recommendations[letter["key"]] = recommendation
        return recommendation

    def step(self, recommendation, step):
        """One workflow step of a recommendation's story, on its day."""
        do, services = step["do"], recommendation_services
        actor = self.users[step.get("staff") or step["officer"]]
        if do == "issue":
            services.recommendation_issue(
                recommendation=recommendation,
                actor=actor,
                issued_on=self.day(step["on"]),
                doc_serial=step["serial"],
            )
        elif do == "acknowledge":
            services.recommendation_acknowledge(recommendation=recommendation, actor=actor)
        elif do == "start_rectification":
            services.recommendation_start_rectification(recommendation=recommendation, actor=actor)
        elif do == "submit_reply":
            services.recommendation_submit_reply(
                recommendation=recommendation, actor=actor, content=step["content"]
            )
        elif do == "return_reply":
            services.recommendation_return_reply(
                recommendation=recommendation, actor=actor, reason=step["reason"]
            )
        elif do == "close":
            services.recommendation_close(recommendation=recommendation, actor=actor)
        elif do == "evaluation_session":
            self.evaluation_session(recommendation, step, actor)
        elif do == "evaluate":
            services.recommendation_evaluate(
                recommendation=recommendation,
                actor=actor,
                **{name: step[name] for name in ("method", "score", "rating", "comments")},
                evaluated_on=self.day(step["on"]),
            )
        else:  # pragma: no cover - a typo in recommendations.json
            raise ValueError(f"unknown step {do}")

    def evaluation_session(self, recommendation, step, staff):
        """现场答辩式评查 on one day: the panel, the hearing, each evaluator's scores (in the
        default template's order) and the conclusion, which records the letter's evaluation."""
        session = evaluation.evaluation_session_open(
            recommendation=recommendation,
            actor=staff,
            scheduled_on=self.day(step["on"]),
            place=step["place"],
        )
        for name in step["panel"]:
            evaluation.evaluation_panel_add(session=session, actor=staff, user=self.users[name])
        evaluation.evaluation_hearing_record(
            session=session,
            actor=staff,
            reporter=step["reporter"],
            report=step["report"],
            questions=step["questions"],
        )
        evaluation.evaluation_scoring_start(session=session, actor=staff)
        indicators = [indicator.pk for indicator in session.template.indicators.all()]
        for name, scores in step["ballots"].items():
            notes = step.get("comments", {}).get(name, {})
            evaluation.evaluation_scores_submit(
                session=session,
                actor=self.users[name],
                scores=dict(zip(indicators, scores, strict=True)),
                comments={indicators[int(index)]: text for index, text in notes.items()},
            )
        evaluation.evaluation_session_conclude(
            session=session, actor=staff, conclusion=step["conclusion"]
        )

    # Measures ───────────────────────────────────────────────────────────────────────────────────
    def plan_measures(self, recommendation, items, *, recipient, officer, staff, planned, shift):
        """Create every item's measures on the planning day, then play each one's story.

        ``shift`` moves the due dates of finished work earlier, for a recommendation that was
        closed long ago.
        """
        leaders = self.texts["leaders"][recipient]
        stories = []
        item_objects = list(recommendation.items.order_by("number"))
        issued = (recommendation.issued_on - self.today).days
        with self.on(planned):
            for item, spec in zip(item_objects, items, strict=True):
                for measure_spec in spec["measures"]:
                    scenario, department = measure_spec["scenario"], measure_spec["department"]
                    low, high = (day + shift for day in self.texts["due_windows"][scenario])
                    due = self.rng.randint(max(low, issued + 15), max(high, issued + 15))
                    is_mine = self.rng.random() < 0.3
                    owner_name = (
                        officer.full_name if is_mine else self.rng.choice(self.texts["owners"])
                    )
                    measure = reform_services.measure_create(
                        item=item,
                        actor=officer,
                        content=measure_spec["content"],
                        standard=measure_spec["standard"],
                        department=department,
                        owner_name=owner_name,
                        owner=officer if is_mine else None,
                        leader_name=leaders.get(department, leaders.get("*", "")),
                        due_on=self.day(due),
                        is_standing=scenario == "stand",
                    )
                    self.measures[recipient].append(measure)
                    stories.append((measure, scenario, due))
        for measure, scenario, due in stories:
            self.play(measure, scenario, due, officer=officer, staff=staff, planned=planned)

    def _steps(self, planned: int, *offsets: int) -> list[int]:
        """Event days after planning, not after today, in order."""
        days, last = [], planned
        for offset in offsets:
            last = min(max(offset, last + 1), 0)
            days.append(last)
        return days

    def _evidence(self, measure: Measure, day: int) -> ContentFile:
        self.evidence_serial += 1
        date = self.day(day)
        kinds = self.texts["evidence"]["kinds"]
        kind = kinds[self.evidence_serial % len(kinds)]
        # PDF only: evidence is checked by content (accounts.uploads), and plain text is refused.
        name = f"{kind}（{date:%Y%m%d}）.pdf"
        data = pdf_bytes(
            [
                self.texts["evidence"]["title"],
                f"Unit: {measure.unit_id}  Measure: {measure.pk}",
                f"Document date: {date.isoformat()}",
                f"Serial: {self.evidence_serial:04d}",
            ]
        )
        return ContentFile(data, name=name)

    def report(self, measure, officer, day, percent, *, files=0, done=False):
        text = self.rng.choice(self.texts["done_text" if done else "progress_text"])
        with self.on(day):
            reform_services.progress_report_add(
                measure=measure,
                actor=officer,
                content=text,
                percent_complete=percent,
                files=tuple(self._evidence(measure, day) for _ in range(files)),
            )

    def request_signoff(self, measure, officer, day):
        with self.on(day):
            reform_services.measure_request_signoff(
                measure=measure, actor=officer, note=self.texts["notes"]["request_signoff"]
            )

    def sign_off(self, measure, staff, day):
        with self.on(day):
            reform_services.measure_sign_off(
                measure=measure, actor=staff, note=self.texts["notes"]["sign_off"]
            )

    def send_back(self, measure, staff, day):
        reasons = self.texts["return_text"]
        code = self.rng.choice(list(reasons))
        with self.on(day):
            reform_services.measure_return(
                measure=measure, actor=staff, reason_code=code, reason=reasons[code]
            )

    def extension(
        self, measure, officer, day, requested_due, *, staff=None, decide_on=None, approve=True
    ):
        notes = self.texts["notes"]
        with self.on(day):
            request = reform_services.extension_request_submit(
                measure=measure,
                actor=officer,
                requested_due_on=self.day(requested_due),
                reason=notes["extension_reason"],
            )
        if staff is None:
            return
        with self.on(decide_on):
            if approve:
                reform_services.extension_request_approve(
                    request=request, actor=staff, note=notes["extension_approved"]
                )
            else:
                reform_services.extension_request_reject(
                    request=request, actor=staff, note=notes["extension_refused"]
                )
        measure.refresh_from_db()

    def play(self, measure, scenario, due, *, officer, staff, planned):
        """Drive one measure through its scenario with the services, day by day."""
        if scenario in {"new", "new_late"}:
            return
        if scenario in {"done", "redo"}:
            if scenario == "done":
                first, last, request, sign = self._steps(
                    planned, planned + 15, due - 12, due - 8, due - 3
                )
                self.report(measure, officer, first, 50)
            else:
                days = self._steps(
                    planned, planned + 10, due - 25, due - 22, due - 16, due - 8, due - 6, due + 2
                )
                first, early, early_request, back, last, request, sign = days
                self.report(measure, officer, first, 40)
                self.report(measure, officer, early, 100, files=1, done=True)
                self.request_signoff(measure, officer, early_request)
                self.send_back(measure, staff, back)
            self.report(measure, officer, last, 100, files=2, done=True)
            self.request_signoff(measure, officer, request)
            self.sign_off(measure, staff, sign)
        elif scenario in {"wip", "wip_soon", "wip_d", "wip_w", "wip_m"}:
            first, second = self._steps(planned, planned + 20, (planned + 20) // 2)
            self.report(measure, officer, first, 30)
            self.report(measure, officer, second, 60, files=1)
        elif scenario in {"wait", "wait_d"}:
            request = min(due - 2, -2)
            first, last, request = self._steps(planned, planned + 20, request - 4, request)
            self.report(measure, officer, first, 40)
            self.report(measure, officer, last, 100, files=2, done=True)
            self.request_signoff(measure, officer, request)
        elif scenario in {"ret", "ret_w"}:
            first, last, request, back = self._steps(
                planned, planned + 20, due - 8, due - 5, due - 1
            )
            self.report(measure, officer, first, 50)
            self.report(measure, officer, last, 90, files=1, done=True)
            self.request_signoff(measure, officer, request)
            self.send_back(measure, staff, back)
        elif scenario == "stand":
            first, second = self._steps(planned, planned + 30, -15)
            self.report(measure, officer, first, 50, files=1)
            self.report(measure, officer, second, 70, files=1)
        elif scenario in {"ext", "ext_late"}:
            target = self.rng.randint(20, 60) if scenario == "ext" else self.rng.randint(-28, -9)
            first, asked, decided, second = self._steps(
                planned, planned + 20, due - 6, due - 3, min(target, 0) - 5
            )
            self.report(measure, officer, first, 30)
            self.extension(measure, officer, asked, target, staff=staff, decide_on=decided)
            self.report(measure, officer, second, 60, files=1)
        elif scenario == "ext_pending":
            first, second, asked = self._steps(planned, planned + 20, -15, -1)
            self.report(measure, officer, first, 30)
            self.report(measure, officer, second, 60)
            self.extension(measure, officer, asked, 45)
        elif scenario == "ext_no":
            first, asked, decided = self._steps(planned, planned + 20, due - 4, due - 1)
            self.report(measure, officer, first, 20)
            self.extension(
                measure, officer, asked, 30, staff=staff, decide_on=decided, approve=False
            )
        else:  # pragma: no cover - a typo in recommendations.json
            raise ValueError(f"unknown scenario {scenario}")

    # Rules, activities, follow-ups ──────────────────────────────────────────────────────────────
    def measure_like(self, recipient: str, fragment: str) -> Measure | None:
        return next((m for m in self.measures[recipient] if fragment in m.content), None)

    def build_records(self):
        records = load("records")
        recipients = records["recipients"]
        for spec in records["rule_changes"]:
            recipient = recipients[spec["recommendation"]]
            fragment = spec["measure_like"]
            measure = self.measure_like(recipient, fragment) if fragment else None
            with self.on(spec["effective"]):
                RuleChange.objects.create(
                    unit=self.units[spec["unit"]],
                    recommendation=self.recommendations[spec["recommendation"]],
                    measure=measure,
                    kind=spec["kind"],
                    title=spec["title"],
                    effective_on=self.day(spec["effective"]),
                    created_by=self.users[self.officer_of(recipient)],
                )
        for spec in records["activities"]:
            recipient = recipients[spec["recommendation"]]
            with self.on(spec["held"]):
                Activity.objects.create(
                    unit=self.units[recipient],
                    recommendation=self.recommendations[spec["recommendation"]],
                    kind=spec["kind"],
                    title=spec["title"],
                    held_on=self.day(spec["held"]),
                    participant_count=spec["participants"],
                    notes=spec["notes"],
                    created_by=self.users[self.officer_of(recipient)],
                )
        for spec in records["follow_ups"]:
            # Only what the story says: a follow-up not yet conducted keeps the model's defaults.
            done = {name: spec[name] for name in ("outcome", "findings") if name in spec}
            if "conducted" in spec:
                done["conducted_on"] = self.day(spec["conducted"])
            with self.on(spec["on"]):
                FollowUp.objects.create(
                    recommendation=self.recommendations[spec["recommendation"]],
                    scheduled_on=self.day(spec["scheduled"]),
                    **done,
                    created_by=self.users[spec["created_by"]],
                )

    # Follow-through: a reconciliation round, a review that found a rebound, a flagged problem ───
    def build_reconciliation(self, spec, recipients):
        """A round over a letter, a few rows answered by the unit and some confirmed by staff."""
        staff = self.users[spec["staff"]]
        letter = self.recommendations[spec["recommendation"]]
        officer = self.users[self.officer_of(recipients[spec["recommendation"]])]
        round_ = reconciliation.open_round(
            actor=staff,
            recommendation=letter,
            as_of=self.day(spec["as_of"]),
            answer_due_on=self.day(spec["answer_days"]),
        )
        rows = round_.rows.select_related("round", "measure").order_by("pk")
        for row, answer in zip(rows, spec["answers"], strict=False):
            reconciliation.answer_row(
                row=row, actor=officer, answer=answer["answer"], note=answer["note"]
            )
            if "confirmation" in answer:
                reconciliation.confirm_row(
                    row=row,
                    actor=staff,
                    confirmation=answer["confirmation"],
                    note=answer.get("confirmation_note", ""),
                )

    def build_rebound_review(self, spec):
        """A second look at a closed letter: its first signed-off measure rebounded and reopens."""
        staff = self.users[spec["staff"]]
        review = reform_services.follow_up_schedule(
            recommendation=self.recommendations[spec["recommendation"]],
            actor=staff,
            scheduled_on=self.today,
        )
        rows = reform_services.follow_up_choose_measures(follow_up=review, actor=staff)
        for number, row in enumerate(sorted(rows, key=lambda row: row.measure_id)):
            rebounded = number == 0
            reform_services.follow_up_mark(
                row=row,
                actor=staff,
                verdict="rebounded" if rebounded else "held",
                findings=spec["findings"] if rebounded else spec["held_findings"],
                new_due_on=self.day(spec["new_due"]) if rebounded else None,
            )
        reform_services.follow_up_record(
            follow_up=review, actor=staff, outcome="rebounded", findings=spec["outcome_findings"]
        )

    def build_rebound_problem(self, spec):
        """A new problem like one a signed-off measure addressed, recorded through the service,
        so that it is flagged as a possible rebound and the commission's staff are told."""
        case = self.cases[spec["case"]]
        case_services.problem_add(
            case=case,
            actor=self.users[spec["staff"]],
            unit=case.case_unit,
            category=spec["category"],
            process_stage=ProcessStage.objects.get(name=spec["process_stage"]),
            description=spec["description"],
        )

    def build_campaign(self, spec):
        """A self-inspection campaign (举一反三) over a sector, launched today: one unit answered
        (what it found is its self-inspection list, with a measure planned), the units not
        answered are urged."""
        staff = self.users[spec["staff"]]
        campaign = campaign_services.campaign_create(
            actor=staff,
            title=spec["title"],
            instructions=spec["instructions"],
            sector=spec["sector"],
            answer_due_on=self.day(spec["answer_days"]),
            items=[
                campaign_services.ChecklistLine(
                    item["category"],
                    ProcessStage.objects.get(name=item["process_stage"])
                    if item["process_stage"]
                    else None,
                    item["text"],
                )
                for item in spec["items"]
            ],
        )
        campaign_services.campaign_launch(campaign=campaign, actor=staff)
        items = list(campaign.items.order_by("number"))
        for answer in spec["answers"]:
            row = CampaignUnit.objects.get(campaign=campaign, unit=self.units[answer["unit"]])
            officer = self.users[answer["officer"]]
            found = [*answer["found"], *[""] * len(items)]
            campaign_services.answers_submit(
                campaign_unit=row,
                actor=officer,
                answers=[
                    campaign_services.AnswerLine(item, bool(text), text)
                    for item, text in zip(items, found, strict=False)
                ],
            )
            row.refresh_from_db()
            measure = dict(answer["measure"])
            due_days = measure.pop("due_days")
            reform_services.measure_create(
                actor=officer,
                item=row.rectification.items.first(),
                due_on=self.day(due_days),
                **measure,
            )
        campaign_services.campaign_urge(campaign=campaign, actor=self.users[spec["urged_by"]])

    def build_cross_inspection(self, spec):
        """交叉检查 among three healthcare units, launched today: each is inspected by another
        (the rotation); one inspector's team has submitted (what it found is the inspected
        unit's list) and the roving team's spot check found a problem it missed (应发现未发现)."""
        staff = self.users[spec["staff"]]
        campaign = campaign_services.campaign_create(
            actor=staff,
            title=spec["title"],
            instructions=spec["instructions"],
            mode=Campaign.Mode.CROSS,
            units=[self.units[key] for key in spec["units"]],
            answer_due_on=self.day(spec["answer_days"]),
            items=[
                campaign_services.ChecklistLine(
                    item["category"],
                    ProcessStage.objects.get(name=item["process_stage"])
                    if item["process_stage"]
                    else None,
                    item["text"],
                )
                for item in spec["items"]
            ],
        )
        campaign_services.campaign_launch(campaign=campaign, actor=staff)
        items = list(campaign.items.order_by("number"))
        answer = spec["answer"]
        officer = self.users[answer["officer"]]
        row = CampaignUnit.objects.get(campaign=campaign, inspector=officer.org_unit)
        found = [*answer["found"], *[""] * len(items)]
        campaign_services.answers_submit(
            campaign_unit=row,
            actor=officer,
            team=answer["team"],
            answers=[
                campaign_services.AnswerLine(item, bool(text), text)
                for item, text in zip(items, found, strict=False)
            ],
        )
        check = spec["spot_check"]
        campaign_services.spot_check_record(
            campaign_unit=CampaignUnit.objects.get(pk=row.pk),
            actor=self.users[check["staff"]],
            item=items[check["item"] - 1],
            finding=check["finding"],
            missed=check["missed"],
        )

    def build_negative_list(self, spec):
        """负面清单: staff draft the case unit's list for one tier from its case, the unit's
        officer writes its entries and publishes it, and staff record a check that found a
        breach (the officer is told)."""
        staff, officer = self.users[spec["staff"]], self.users[spec["officer"]]
        negative_list = negative_list_services.list_create(
            actor=staff,
            unit=self.units[spec["unit"]],
            tier=spec["tier"],
            title=spec["title"],
            source_cases=[self.cases[key] for key in spec["source_cases"]],
        )
        for entry in spec["entries"]:
            negative_list_services.entry_add(
                negative_list=negative_list,
                actor=officer,
                risk_point=entry["risk_point"],
                requirement=entry["requirement"],
                kind=entry["kind"],
                process_stage=ProcessStage.objects.get(name=entry["process_stage"]),
            )
        negative_list_services.list_publish(negative_list=negative_list, actor=officer)
        negative_list_services.check_record(
            negative_list=negative_list, actor=staff, checked_on=self.day(0), **spec["check"]
        )

    def build_follow_through(self):
        records = load("records")
        self.build_campaign(records["campaign"])
        self.build_cross_inspection(records["cross_inspection"])
        self.build_negative_list(records["negative_list"])
        self.build_reconciliation(records["reconciliation"], records["recipients"])
        self.build_rebound_review(records["rebound_review"])
        self.build_rebound_problem(records["rebound_problem"])
        for spec in records["cross_case_analyses"]:
            self.build_cross_case_analysis(spec)

    def build_cross_case_analysis(self, spec):
        """类案分析: the city's staff compare the construction cases of the last two years and
        write the findings (the tables are computed from the cases at every reading)."""
        staff = self.users[spec["staff"]]
        analysis = crosscase.analysis_create(
            actor=staff,
            title=spec["title"],
            unit=self.units[spec["commission"]],
            mode=spec["mode"],
            sector=spec.get("sector", ""),
            opened_from=self.day(spec["opened_from"]) if "opened_from" in spec else None,
        )
        crosscase.analysis_write_findings(analysis=analysis, actor=staff, **spec["findings"])

    def build(self):
        self.build_org_tree()
        self.build_users()
        with self.clock.listening():
            self.build_cases()
            self.build_recommendations()
            self.build_records()
        self.clock.flush()
        # Today's work, after the backdating: a review reopens a measure the clock saw signed off.
        self.build_follow_through()


def demo_logins() -> list[User]:
    """The demo accounts present in the database, headline logins first."""
    order = {username: position for position, username in enumerate(DEMO_USERNAMES)}
    users = User.objects.filter(username__in=order).select_related("org_unit")
    return sorted(users, key=lambda user: order[user.username])


def demo_exists() -> bool:
    return OrgUnit.objects.filter(
        depth=1, name=ROOT["name"], kind=OrgUnit.Kind.COMMISSION, doc_abbr=ROOT["doc_abbr"]
    ).exists()


def build_demo() -> bool:
    """Build the demo once; return False (and change nothing) when it is already there."""
    with transaction.atomic():
        if demo_exists():
            if not User.objects.filter(username="staff", org_unit__name=ROOT["name"]).exists():
                raise DemoExists(
                    f"已有名为“{ROOT['name']}”的组织根节点，但它不是演示数据；"
                    "seed_demo 只在没有该节点的数据库上生成演示数据。"
                )
            return False
        taken = list(
            User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True)
        )
        if taken:
            raise DemoExists("演示账号需要的用户名已被占用：" + "、".join(sorted(taken)))
        builder = Builder()
        try:
            builder.build()
        except BaseException:
            _delete_files(builder.clock.stored_files)
            raise
    return True


def _delete_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        if name and default_storage.exists(name):
            default_storage.delete(name)
