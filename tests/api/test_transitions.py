"""Every write and transition of the API, allowed and refused: the services decide, the API
answers with their Chinese message and status (403 not allowed, 404 out of scope, 409 wrong
state, 400 invalid body)."""

import datetime

import pytest
from django.utils import translation

from recommendations import services as recommendation_services
from recommendations.models import Recommendation
from reforms.models import ExtensionRequest, Measure
from tests import factories
from tests.reforms.conftest import advance

Status = Measure.Status


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return str(translation.gettext(message))


@pytest.fixture
def letter(world, housing_case):
    recommendation = factories.issued_recommendation(
        staff=world.users.city_staff, the_case=housing_case
    )
    return recommendation_services.recommendation_acknowledge(
        recommendation=recommendation, actor=world.users.housing_officer
    )


@pytest.fixture
def measure_in(world, letter):
    def build(status, **fields):
        measure = factories.measure(
            recommendation=letter, actor=world.users.housing_officer, **fields
        )
        return advance(
            measure, to=status, staff=world.users.city_staff, officer=world.users.housing_officer
        )

    return build


def post(client, url, data=None, **kwargs):
    kwargs.setdefault("format", "json")
    return client.post(f"/api/v1/{url}", data or {}, **kwargs)


def refused(answer, status: int, code: str | None = None, message: str | None = None):
    assert answer.status_code == status, answer.content
    body = answer.json()
    assert set(body) == {"code", "detail", "errors"}
    if code:
        assert body["code"] == code
    if message:
        assert body["detail"] == zh(message)
    return body


# ---------------------------------------------------------------------------------------------
# Measures


class TestRequestSignoff:
    def test_the_officer_requests_it(self, measure_in, api_as):
        measure = measure_in(Status.IN_PROGRESS)
        client = api_as("officer")
        client.post(
            "/api/v1/evidence/",
            {"measure": measure.pk, "file": factories.evidence_file()},
            format="multipart",
        )
        answer = post(client, f"measures/{measure.pk}/request-signoff/", {"note": "请予销号"})
        assert answer.status_code == 200, answer.content
        assert answer.json()["status"] == Status.AWAITING_SIGNOFF

    def test_without_evidence_it_is_refused(self, measure_in, api_as):
        measure = measure_in(Status.IN_PROGRESS)
        answer = post(api_as("officer"), f"measures/{measure.pk}/request-signoff/")
        refused(answer, 409, "invalid", "Upload evidence before requesting sign-off.")

    def test_not_started_is_the_wrong_state(self, measure_in, api_as):
        measure = measure_in(Status.NOT_STARTED)
        answer = post(api_as("officer"), f"measures/{measure.pk}/request-signoff/")
        refused(
            answer,
            409,
            "invalid_state",
            "Sign-off can be requested for a measure in progress.",
        )

    @pytest.mark.parametrize("role", ["staff", "supervisor"])
    def test_other_roles_may_not(self, role, measure_in, api_as):
        measure = measure_in(Status.IN_PROGRESS)
        answer = post(api_as(role), f"measures/{measure.pk}/request-signoff/")
        refused(answer, 403, "permission_denied", "You are not allowed to do this.")

    @pytest.mark.parametrize("role", ["system_admin", "security_admin", "audit_admin"])
    def test_the_admins_do_not_see_measures(self, role, measure_in, api_as):
        measure = measure_in(Status.IN_PROGRESS)
        refused(post(api_as(role), f"measures/{measure.pk}/request-signoff/"), 403)

    def test_another_units_officer_gets_404(self, measure_in, api_as):
        measure = measure_in(Status.IN_PROGRESS)
        refused(post(api_as("health_officer"), f"measures/{measure.pk}/request-signoff/"), 404)

    def test_after_a_return_new_work_comes_first(self, measure_in, api_as):
        measure = measure_in(Status.RETURNED)
        client = api_as("officer")
        url = f"measures/{measure.pk}/request-signoff/"

        refused(
            post(client, url),
            409,
            "invalid_state",
            "After a return, add new progress or new evidence before requesting sign-off again.",
        )
        client.post(
            "/api/v1/evidence/",
            {"measure": measure.pk, "file": factories.evidence_file()},
            format="multipart",
        )
        answer = post(client, url, {"note": "已补充培训签到表"})
        assert answer.status_code == 200, answer.content
        assert answer.json()["status"] == Status.AWAITING_SIGNOFF


class TestSignOffAndReturn:
    def test_staff_sign_off(self, measure_in, api_as):
        measure = measure_in(Status.AWAITING_SIGNOFF)
        answer = post(api_as("staff"), f"measures/{measure.pk}/sign-off/", {"note": "已核实"})
        assert answer.status_code == 200
        assert answer.json()["status"] == Status.SIGNED_OFF
        assert answer.json()["signal"] == "green"

    def test_sign_off_needs_the_verification_opinion(self, measure_in, api_as):
        measure = measure_in(Status.AWAITING_SIGNOFF)
        body = refused(
            post(api_as("staff"), f"measures/{measure.pk}/sign-off/", {"note": " "}),
            409,
            "invalid",
            "Write the verification opinion before signing off.",
        )
        assert list(body["errors"]) == ["note"]
        history = api_as("staff").get(f"/api/v1/measures/{measure.pk}/history/").json()
        assert history[-1]["to_status"] == Status.AWAITING_SIGNOFF

    def test_the_opinion_is_in_the_history(self, measure_in, api_as):
        measure = measure_in(Status.AWAITING_SIGNOFF)
        post(api_as("staff"), f"measures/{measure.pk}/sign-off/", {"note": "经核查，整改到位"})
        history = api_as("staff").get(f"/api/v1/measures/{measure.pk}/history/").json()
        assert (history[-1]["to_status"], history[-1]["reason"]) == (
            Status.SIGNED_OFF,
            "经核查，整改到位",
        )

    def test_sign_off_only_what_awaits_it(self, measure_in, api_as):
        measure = measure_in(Status.IN_PROGRESS)
        refused(
            post(api_as("staff"), f"measures/{measure.pk}/sign-off/"),
            409,
            "invalid_state",
            "Only a measure awaiting sign-off can be signed off.",
        )

    @pytest.mark.parametrize("role", ["officer", "supervisor"])
    def test_sign_off_refused_to(self, role, measure_in, api_as):
        measure = measure_in(Status.AWAITING_SIGNOFF)
        refused(post(api_as(role), f"measures/{measure.pk}/sign-off/"), 403)

    def test_staff_outside_get_404(self, measure_in, api_as):
        measure = measure_in(Status.AWAITING_SIGNOFF)
        refused(post(api_as("county_staff"), f"measures/{measure.pk}/sign-off/"), 404)
        refused(post(api_as("other_staff"), f"measures/{measure.pk}/return/"), 404)

    def test_staff_return_with_a_reason(self, measure_in, api_as):
        measure = measure_in(Status.AWAITING_SIGNOFF)
        answer = post(
            api_as("staff"),
            f"measures/{measure.pk}/return/",
            {"reason_code": "paper_rectification", "reason": "只有文件没有落实"},
        )
        assert answer.status_code == 200
        assert answer.json()["status"] == Status.RETURNED
        history = api_as("staff").get(f"/api/v1/measures/{measure.pk}/history/").json()
        assert history[-1]["return_reason"] == "paper_rectification"

    def test_return_needs_a_reason_code(self, measure_in, api_as):
        measure = measure_in(Status.AWAITING_SIGNOFF)
        body = refused(post(api_as("staff"), f"measures/{measure.pk}/return/"), 400, "invalid")
        assert list(body["errors"]) == ["reason_code"]

    def test_other_needs_an_explanation(self, measure_in, api_as):
        measure = measure_in(Status.AWAITING_SIGNOFF)
        refused(
            post(api_as("staff"), f"measures/{measure.pk}/return/", {"reason_code": "other"}),
            409,
            "invalid",
            "Explain the reason for returning the measure.",
        )

    def test_officer_may_not_return(self, measure_in, api_as):
        measure = measure_in(Status.AWAITING_SIGNOFF)
        answer = post(api_as("officer"), f"measures/{measure.pk}/return/", {"reason_code": "other"})
        refused(answer, 403)


class TestProgressAndEvidence:
    def test_the_officer_reports_with_files(self, measure_in, api_as):
        measure = measure_in(Status.NOT_STARTED)
        answer = api_as("officer").post(
            f"/api/v1/measures/{measure.pk}/progress/",
            {
                "content": "已起草",
                "percent_complete": 30,
                "files": [factories.evidence_file(), factories.evidence_file("照片.jpg")],
            },
            format="multipart",
        )
        assert answer.status_code == 201, answer.content
        assert len(answer.json()["evidence"]) == 2
        measure.refresh_from_db()
        assert measure.status == Status.IN_PROGRESS

    def test_percent_is_checked(self, measure_in, api_as):
        measure = measure_in(Status.NOT_STARTED)
        answer = post(
            api_as("officer"),
            f"measures/{measure.pk}/progress/",
            {"content": "x", "percent_complete": 150},
        )
        assert refused(answer, 400)["errors"].keys() == {"percent_complete"}

    def test_no_progress_after_sign_off(self, measure_in, api_as):
        measure = measure_in(Status.SIGNED_OFF)
        answer = post(
            api_as("officer"),
            f"measures/{measure.pk}/progress/",
            {"content": "x", "percent_complete": 50},
        )
        refused(answer, 403)  # report_progress is refused on a signed-off measure by its rule

    def test_staff_do_not_report(self, measure_in, api_as):
        measure = measure_in(Status.NOT_STARTED)
        answer = post(
            api_as("staff"),
            f"measures/{measure.pk}/progress/",
            {"content": "x", "percent_complete": 50},
        )
        refused(answer, 403)

    def test_upload_evidence(self, measure_in, api_as):
        measure = measure_in(Status.IN_PROGRESS)
        answer = api_as("officer").post(
            "/api/v1/evidence/",
            {"measure": measure.pk, "file": factories.evidence_file(), "description": "纪要"},
            format="multipart",
        )
        assert answer.status_code == 201, answer.content
        assert answer.json()["original_name"] == "会议纪要.pdf"
        assert answer.json()["download"].endswith(
            f"/api/v1/evidence/{answer.json()['id']}/download/"
        )

    def test_upload_too_large(self, measure_in, api_as, settings):
        settings.EVIDENCE_MAX_BYTES = 4
        measure = measure_in(Status.IN_PROGRESS)
        answer = api_as("officer").post(
            "/api/v1/evidence/",
            {"measure": measure.pk, "file": factories.evidence_file()},
            format="multipart",
        )
        refused(answer, 422, "invalid_file")

    def test_upload_refused_while_awaiting_signoff(self, measure_in, api_as):
        measure = measure_in(Status.AWAITING_SIGNOFF)
        answer = api_as("officer").post(
            "/api/v1/evidence/",
            {"measure": measure.pk, "file": factories.evidence_file()},
            format="multipart",
        )
        refused(answer, 409, "invalid_state")

    def test_upload_to_a_measure_out_of_scope(self, measure_in, api_as):
        measure = measure_in(Status.IN_PROGRESS)
        answer = api_as("health_officer").post(
            "/api/v1/evidence/",
            {"measure": measure.pk, "file": factories.evidence_file()},
            format="multipart",
        )
        assert refused(answer, 422)["errors"].keys() == {"measure"}

    def test_staff_may_not_upload(self, measure_in, api_as):
        measure = measure_in(Status.IN_PROGRESS)
        answer = api_as("staff").post(
            "/api/v1/evidence/",
            {"measure": measure.pk, "file": factories.evidence_file()},
            format="multipart",
        )
        refused(answer, 403)


class TestExtensions:
    def request(self, client, measure, day=datetime.date(2026, 9, 30), reason="汛期施工受阻"):
        return post(
            client,
            f"measures/{measure.pk}/request-extension/",
            {"requested_due_on": day.isoformat(), "reason": reason},
        )

    def test_request_approve(self, measure_in, api_as):
        measure = measure_in(Status.IN_PROGRESS)
        answer = self.request(api_as("officer"), measure)
        assert answer.status_code == 201, answer.content
        extension = answer.json()["id"]
        answer = post(api_as("staff"), f"extension-requests/{extension}/approve/")
        assert answer.status_code == 200
        assert answer.json()["status"] == ExtensionRequest.Status.APPROVED
        moved = api_as("staff").get(f"/api/v1/measures/{measure.pk}/").json()
        assert moved["due_on"] == "2026-09-30"
        assert moved["original_due_on"] == "2026-06-30"
        refused(post(api_as("staff"), f"extension-requests/{extension}/approve/"), 409)

    def test_one_pending_at_a_time(self, measure_in, api_as):
        measure = measure_in(Status.IN_PROGRESS)
        assert self.request(api_as("officer"), measure).status_code == 201
        refused(
            self.request(api_as("officer"), measure, datetime.date(2026, 10, 30)),
            409,
            message="This measure already has a pending extension request.",
        )

    def test_earlier_date_refused(self, measure_in, api_as):
        measure = measure_in(Status.IN_PROGRESS)
        refused(self.request(api_as("officer"), measure, datetime.date(2026, 1, 30)), 409)

    def test_staff_may_not_request(self, measure_in, api_as):
        refused(self.request(api_as("staff"), measure_in(Status.IN_PROGRESS)), 403)

    def test_reject_needs_a_note(self, measure_in, api_as):
        measure = measure_in(Status.IN_PROGRESS)
        extension = self.request(api_as("officer"), measure).json()["id"]
        body = refused(post(api_as("staff"), f"extension-requests/{extension}/reject/"), 400)
        assert body["errors"].keys() == {"note"}
        answer = post(
            api_as("staff"), f"extension-requests/{extension}/reject/", {"note": "理由不足"}
        )
        assert answer.status_code == 200
        assert answer.json()["status"] == ExtensionRequest.Status.REJECTED

    @pytest.mark.parametrize(("role", "status"), [("officer", 403), ("supervisor", 403)])
    def test_only_staff_decide(self, role, status, measure_in, api_as):
        measure = measure_in(Status.IN_PROGRESS)
        extension = self.request(api_as("officer"), measure).json()["id"]
        refused(post(api_as(role), f"extension-requests/{extension}/approve/"), status)
        refused(post(api_as("county_staff"), f"extension-requests/{extension}/approve/"), 404)


class TestPlanningMeasures:
    def body(self, letter, **fields):
        return {
            "item": letter.items.first().pk,
            "content": "建立评审专家随机抽取制度",
            "standard": "印发制度",
            "department": "招标办",
            "owner_name": "李明",
            "leader_name": "王局长",
            "due_on": "2026-08-31",
        } | fields

    def test_the_officer_plans(self, letter, api_as):
        answer = post(api_as("officer"), "measures/", self.body(letter))
        assert answer.status_code == 201, answer.content
        assert answer.json()["status"] == Status.NOT_STARTED
        assert answer.json()["recommendation"] == letter.pk

    def test_supervisor_may_not(self, letter, api_as):
        refused(post(api_as("supervisor"), "measures/", self.body(letter)), 403)

    def test_item_out_of_scope(self, letter, api_as):
        answer = post(api_as("health_officer"), "measures/", self.body(letter))
        assert refused(answer, 422)["errors"].keys() == {"item"}

    def test_due_before_issue(self, letter, api_as):
        answer = post(api_as("officer"), "measures/", self.body(letter, due_on="2025-01-01"))
        refused(answer, 409, message="The due date cannot be before the recommendation was issued.")

    def test_a_standing_measure_needs_no_date(self, letter, api_as):
        body = self.body(letter, is_standing=True)
        del body["due_on"]
        answer = post(api_as("officer"), "measures/", body)
        assert answer.status_code == 201, answer.content
        assert answer.json()["is_standing"] is True
        # Its stored date is a placeholder: the API shows none, as every page and export.
        assert (answer.json()["original_due_on"], answer.json()["due_on"]) == (None, None)
        listed = api_as("officer").get("/api/v1/measures/", {"recommendation": letter.pk}).json()
        assert [(m["due_on"], m["original_due_on"]) for m in listed["results"]] == [(None, None)]

    def test_any_other_measure_does(self, letter, api_as):
        body = self.body(letter)
        del body["due_on"]
        answer = post(api_as("officer"), "measures/", body)
        refused(answer, 409, message="Fill in the due date (a standing measure needs none).")

    def test_edit_until_signed_off(self, measure_in, api_as):
        measure = measure_in(Status.IN_PROGRESS)
        answer = api_as("officer").patch(
            f"/api/v1/measures/{measure.pk}/", {"owner_name": "赵强"}, format="json"
        )
        assert answer.status_code == 200, answer.content
        assert answer.json()["owner_name"] == "赵强"
        signed = measure_in(Status.SIGNED_OFF)
        answer = api_as("officer").patch(
            f"/api/v1/measures/{signed.pk}/", {"owner_name": "赵强"}, format="json"
        )
        refused(answer, 403)


# ---------------------------------------------------------------------------------------------
# Recommendations


class TestDraftingAndIssuing:
    def test_staff_draft_add_items_and_issue(self, world, housing_case, api_as):
        problem = factories.problem(housing_case)
        client = api_as("staff")
        answer = post(
            client,
            "recommendations/",
            {
                "title": "关于加强工程招投标管理的纪检监察建议",
                "issuer": world.units.city.pk,
                "recipient_unit": world.units.housing.pk,
                "cases": [housing_case.pk],
                "reply_due_on": "2027-03-31",
            },
        )
        assert answer.status_code == 201, answer.content
        rec = answer.json()["id"]
        refused(post(client, f"recommendations/{rec}/issue/"), 409, "invalid")  # no items yet
        answer = post(
            client,
            f"recommendations/{rec}/items/",
            {"content": "健全制度", "problems": [problem.pk]},
        )
        assert answer.status_code == 201, answer.content
        assert answer.json()["number"] == 1
        refused(post(api_as("officer"), f"recommendations/{rec}/issue/"), 404)  # a draft
        refused(post(api_as("supervisor"), f"recommendations/{rec}/issue/"), 403)
        answer = post(client, f"recommendations/{rec}/issue/", {"issued_on": "2026-11-02"})
        assert answer.status_code == 200, answer.content
        assert answer.json()["doc_number"] == "长纪建〔2026〕1号"
        refused(post(client, f"recommendations/{rec}/issue/"), 409, "invalid_state")
        refused(
            post(client, f"recommendations/{rec}/items/", {"content": "x", "problems": []}), 403
        )

    @pytest.mark.parametrize("role", ["officer", "supervisor"])
    def test_only_staff_draft(self, role, world, housing_case, api_as):
        answer = post(
            api_as(role),
            "recommendations/",
            {
                "title": "x",
                "issuer": world.units.city.pk,
                "recipient_unit": world.units.housing.pk,
                "cases": [],
            },
        )
        refused(answer, 403)

    def test_a_case_out_of_scope_is_invalid(self, world, housing_case, api_as):
        answer = post(
            api_as("county_staff"),
            "recommendations/",
            {
                "title": "x",
                "issuer": world.units.county.pk,
                "recipient_unit": world.units.education.pk,
                "cases": [housing_case.pk],
            },
        )
        assert refused(answer, 422)["errors"].keys() == {"cases"}


class TestTheUnitsSide:
    def test_acknowledge_plan_start_and_reply(self, world, housing_case, api_as):
        rec = factories.issued_recommendation(staff=world.users.city_staff, the_case=housing_case)
        officer = api_as("officer")
        refused(post(api_as("staff"), f"recommendations/{rec.pk}/acknowledge/"), 403)
        assert post(officer, f"recommendations/{rec.pk}/acknowledge/").json()["status"] == (
            Recommendation.Status.ACKNOWLEDGED
        )
        refused(post(officer, f"recommendations/{rec.pk}/acknowledge/"), 409, "invalid_state")
        refused(
            post(officer, f"recommendations/{rec.pk}/start-rectification/"),
            409,
            message=None,
        )
        factories.measure(recommendation=rec, actor=world.users.housing_officer)
        answer = post(officer, f"recommendations/{rec.pk}/start-rectification/")
        assert answer.json()["status"] == Recommendation.Status.RECTIFYING
        refused(post(officer, f"recommendations/{rec.pk}/reply/"), 400)
        answer = post(officer, f"recommendations/{rec.pk}/reply/", {"content": "整改报告"})
        assert answer.status_code == 201
        refused(post(api_as("health_officer"), f"recommendations/{rec.pk}/reply/", {}), 404)


class TestClosingTheLoop:
    @pytest.fixture
    def replied(self, world, housing_case):
        rec = factories.issued_recommendation(staff=world.users.city_staff, the_case=housing_case)
        officer = world.users.housing_officer
        recommendation_services.recommendation_acknowledge(recommendation=rec, actor=officer)
        measure = factories.measure(recommendation=rec, actor=officer)
        recommendation_services.recommendation_start_rectification(
            recommendation=rec, actor=officer
        )
        recommendation_services.recommendation_submit_reply(
            recommendation=rec, actor=officer, content="整改报告"
        )
        rec.open_measure = measure
        return rec

    def test_return_reply(self, replied, api_as):
        refused(post(api_as("staff"), f"recommendations/{replied.pk}/return-reply/"), 400)
        refused(
            post(api_as("officer"), f"recommendations/{replied.pk}/return-reply/", {"reason": "x"}),
            403,
        )
        answer = post(
            api_as("staff"), f"recommendations/{replied.pk}/return-reply/", {"reason": "不具体"}
        )
        assert answer.json()["status"] == Recommendation.Status.RECTIFYING

    def test_close_evaluate_and_follow_up(self, world, replied, api_as):
        staff = api_as("staff")
        refused(post(staff, f"recommendations/{replied.pk}/close/"), 409, "invalid")
        advance(
            replied.open_measure,
            to=Status.SIGNED_OFF,
            staff=world.users.city_staff,
            officer=world.users.housing_officer,
        )
        refused(post(api_as("supervisor"), f"recommendations/{replied.pk}/close/"), 403)
        refused(
            post(
                staff, f"recommendations/{replied.pk}/follow-ups/", {"scheduled_on": "2099-01-01"}
            ),
            409,
        )
        assert post(staff, f"recommendations/{replied.pk}/close/").status_code == 200
        evaluation = {"method": "on_site", "score": 101, "rating": "good"}
        refused(post(staff, f"recommendations/{replied.pk}/evaluate/", evaluation), 400)
        answer = post(staff, f"recommendations/{replied.pk}/evaluate/", evaluation | {"score": 88})
        assert answer.status_code == 201
        assert answer.json()["score"] == 88
        refused(post(staff, f"recommendations/{replied.pk}/evaluate/", evaluation), 400)
        answer = post(
            staff, f"recommendations/{replied.pk}/follow-ups/", {"scheduled_on": "2099-01-01"}
        )
        assert answer.status_code == 201
        follow_up = answer.json()["id"]
        refused(
            post(api_as("officer"), f"follow-ups/{follow_up}/record/", {"outcome": "consolidated"}),
            403,
        )
        refused(post(staff, f"follow-ups/{follow_up}/record/", {"outcome": "rebounded"}), 409)
        answer = post(staff, f"follow-ups/{follow_up}/record/", {"outcome": "consolidated"})
        assert answer.status_code == 200
        refused(post(staff, f"follow-ups/{follow_up}/record/", {"outcome": "consolidated"}), 409)


# ---------------------------------------------------------------------------------------------
# Cases


class TestCases:
    def body(self, world, **fields):
        return {
            "number": "长纪立〔2026〕12号",
            "title": "某局局长受贿案",
            "commission": world.units.city.pk,
            "case_unit": world.units.housing.pk,
            "sector": "construction",
            "level": "county",
            "amount": "350000.00",
            "opened_on": "2026-02-01",
            "subjects": [
                {"name": "李某", "position": "局长", "is_top_leader": True},
                {"name": "王某", "position": "科长"},
            ],
        } | fields

    def test_staff_log_a_case_with_subjects_and_analyse_it(self, world, api_as):
        client = api_as("staff")
        answer = post(client, "cases/", self.body(world))
        assert answer.status_code == 201, answer.content
        case = answer.json()
        assert [s["name"] for s in case["subjects"]] == ["李某", "王某"]
        assert case["analysis"] is None
        kept = case["subjects"][0]["id"]
        answer = client.patch(
            f"/api/v1/cases/{case['id']}/",
            {"subjects": [{"id": kept, "name": "李某某", "is_top_leader": True}]},
            format="json",
        )
        assert answer.status_code == 200, answer.content
        assert [(s["id"], s["name"]) for s in answer.json()["subjects"]] == [(kept, "李某某")]
        answer = client.put(
            f"/api/v1/cases/{case['id']}/analysis/",
            {
                "trajectory": "从收受礼金到索要工程款",
                "root_causes": "权力过于集中",
                "loopholes": "",
                "lessons": "",
                "completed_on": "2026-03-01",
            },
            format="json",
        )
        assert answer.status_code == 200, answer.content
        detail = client.get(f"/api/v1/cases/{case['id']}/").json()
        assert detail["analysis"]["root_causes"] == "权力过于集中"
        assert detail["analysis"]["author"] == world.users.city_staff.pk

    def test_the_models_rules_refuse_bad_cases(self, world, api_as):
        client = api_as("staff")
        assert post(client, "cases/", self.body(world)).status_code == 201
        taken = refused(post(client, "cases/", self.body(world)), 422, "invalid")
        assert taken["errors"].keys() == {"number"}
        answer = post(
            client,
            "cases/",
            self.body(world, number="x-2", status="closed", closed_on="2026-01-01"),
        )
        assert refused(answer, 422, "invalid")["errors"].keys() == {"non_field_errors"}
        answer = post(client, "cases/", self.body(world, number="x-3", amount="-1"))
        assert refused(answer, 400)["errors"].keys() == {"amount"}

    def test_a_unit_outside_the_jurisdiction(self, world, api_as):
        answer = post(api_as("county_staff"), "cases/", self.body(world))
        refused(answer, 403, message="The chosen unit is outside your jurisdiction.")

    def test_problems(self, world, housing_case, api_as):
        from cases.models import ProcessStage

        stage = ProcessStage.objects.get(name="招投标").pk
        body = {
            "case": housing_case.pk,
            "unit": world.units.housing.pk,
            "category": "blind_spot",
            "process_stage": stage,
            "description": "质量验收无人监督",
        }
        answer = post(api_as("staff"), "problems/", body)
        assert answer.status_code == 201, answer.content
        answer = post(api_as("staff"), "problems/", body | {"description": " "})
        assert refused(answer, 400)["errors"].keys() == {"description"}
        refused(post(api_as("supervisor"), "problems/", body), 403)
        refused(post(api_as("officer"), "problems/", body), 403)
        answer = post(api_as("county_staff"), "problems/", body)
        assert refused(answer, 422)["errors"].keys() == {"case"}
