"""Going through an irreversible action's confirmation dialog (includes/confirm_dialog.html)."""


def open_dialog(page, opener):
    """Click the button of an irreversible action: its dialog opens instead of posting."""
    opener.click()
    dialog = page.locator(f"dialog#{opener.get_attribute('data-confirm')}")
    dialog.wait_for(state="visible")
    return dialog


def confirm(page, opener, *, fill=None, select=None):
    """Open the dialog, fill its fields (selector → value) and confirm: the form posts."""
    dialog = open_dialog(page, opener)
    for selector, value in (select or {}).items():
        dialog.locator(selector).select_option(value)
    for selector, value in (fill or {}).items():
        dialog.locator(selector).fill(value)
    dialog.locator("[data-testid=confirm]").click()
    return dialog
