"""The API face of the case-content rule (``accounts.confidentiality``)."""

from django.utils.translation import gettext_lazy

from accounts.confidentiality import can_read_case_content, case_content_fields


class CaseContentSerializerMixin:
    """Case-content fields of the model (``accounts.confidentiality``) answer ``null`` to a reader
    without the right to case content, in every list, detail and nested answer."""

    def get_fields(self):
        fields = super().get_fields()
        for name in case_content_fields(self.Meta.model) & fields.keys():
            fields[name].allow_null = True
            fields[name].help_text = gettext_lazy(
                "Case content: null for readers who may not see case content (unit officers)."
            )
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not can_read_case_content(request.user):
            for name in case_content_fields(self.Meta.model) & data.keys():
                data[name] = None
        return data
