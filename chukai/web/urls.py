from django.urls import path

from chukai.documents import views as documents
from chukai.web.views import auth, contracts, jobs, money_in, pages, payouts, remedies, staff

app_name = "web"

urlpatterns = [
    path("", pages.home, name="home"),
    path("signup", auth.signup, name="signup"),
    path("login", auth.login_view, name="login"),
    path("logout", auth.logout_view, name="logout"),
    path("account", auth.account, name="account"),
    path("account/password", auth.password_change, name="password_change"),
    path("account/papers", documents.account_papers, name="account_papers"),
    path("documents/<int:document_id>.pdf", documents.document_pdf, name="document_pdf"),
    path("language", auth.language, name="language"),
    path("dashboard", pages.dashboard, name="dashboard"),
    path("notifications", pages.notifications, name="notifications"),
    path("notifications/read", pages.notifications_read, name="notifications_read"),
    path("notifications/count", pages.notification_count, name="notification_count"),
    path("users/<int:user_id>", pages.profile, name="profile"),
    path("policies", pages.policies, name="policies"),
    path("jobs", jobs.job_list, name="jobs"),
    path("jobs/new", jobs.job_new, name="job_new"),
    path("jobs/<int:job_id>", jobs.job_detail, name="job"),
    path("jobs/<int:job_id>/propose", jobs.job_propose, name="job_propose"),
    path("proposals/<int:proposal_id>/accept", jobs.proposal_accept, name="proposal_accept"),
    path("contracts/<int:contract_id>", contracts.contract_page, name="contract"),
    path("contracts/<int:contract_id>/timeline.csv", contracts.contract_timeline_export, name="contract_timeline_csv"),
    path(
        "contracts/<int:contract_id>/milestones/<int:milestone_id>/fund",
        money_in.fund_confirm,  # GET: the confirmation step; POST: confirm (DOMAIN §11)
        name="milestone_fund",
    ),
    path(
        "contracts/<int:contract_id>/milestones/<int:milestone_id>/deliver",
        contracts.milestone_deliver,
        name="milestone_deliver",
    ),
    path(
        "contracts/<int:contract_id>/milestones/<int:milestone_id>/accept",
        contracts.milestone_accept,
        name="milestone_accept",
    ),
    path(
        "contracts/<int:contract_id>/milestones/<int:milestone_id>/revision",
        contracts.milestone_revision,
        name="milestone_revision",
    ),
    path("contracts/<int:contract_id>/due-date", contracts.due_date_propose, name="due_date_propose"),
    path(
        "contracts/<int:contract_id>/due-date/<int:change_id>/<str:verdict>",
        contracts.due_date_decide,
        name="due_date_decide",
    ),
    path("contracts/<int:contract_id>/plan", contracts.plan_change_propose, name="plan_change_propose"),
    path(
        "contracts/<int:contract_id>/plan/<int:change_id>/<str:verdict>",
        contracts.plan_change_decide,
        name="plan_change_decide",
    ),
    # Silent counterpart: the contact reminder as Lancers users know it (link → confirm → done).
    path("contracts/<int:contract_id>/contact-reminder", remedies.reminder_confirm, name="contact_reminder"),
    path("contracts/<int:contract_id>/contact-reminder/done", remedies.reminder_done, name="contact_reminder_done"),
    path("contracts/<int:contract_id>/messages", remedies.message_send, name="message_send"),
    path(
        "contracts/<int:contract_id>/attachments/<int:attachment_id>",
        remedies.attachment_download,
        name="attachment",
    ),
    path("contracts/<int:contract_id>/termination", remedies.termination_request, name="termination_request"),
    path(
        "contracts/<int:contract_id>/termination/<int:request_id>/<str:verdict>",
        remedies.termination_decide,
        name="termination_decide",
    ),
    path("contracts/<int:contract_id>/support", remedies.support_open, name="support_open"),
    path(
        "contracts/<int:contract_id>/support/<int:case_id>/escalate",
        remedies.support_escalate,
        name="support_escalate",
    ),
    path("contracts/<int:contract_id>/rating", remedies.rating_submit, name="rating_submit"),
    # The support office console.
    path("staff/", staff.queue, name="staff_queue"),
    path("staff/dashboard", staff.dashboard, name="staff_dashboard"),
    path("staff/cases/<int:case_id>", staff.case_page, name="staff_case"),
    path("staff/cases/<int:case_id>/notice", staff.notice_send, name="staff_notice"),
    path("staff/cases/<int:case_id>/note", staff.note_add, name="staff_note"),
    path("staff/cases/<int:case_id>/decide", staff.decide, name="staff_decide"),
    # Money out (DOMAIN §10): balance, withdrawals, statement, bank account; the staff payouts page.
    path("balance", payouts.balance, name="balance"),
    path("balance/withdraw", payouts.withdraw, name="withdraw"),
    path("balance/withdrawals/<int:withdrawal_id>/cancel", payouts.withdrawal_cancel, name="withdrawal_cancel"),
    path("balance/statement.csv", payouts.statement_csv, name="statement_csv"),
    path("bank-account", payouts.bank_account, name="bank_account"),
    path("staff/payouts", payouts.staff_payouts, name="staff_payouts"),
    path("staff/payouts/batches", payouts.staff_batch_create, name="staff_batch_create"),
    path("staff/payouts/batches/<int:batch_id>", payouts.staff_batch, name="staff_batch"),
    path("staff/payouts/batches/<int:batch_id>/zengin", payouts.staff_batch_zengin, name="staff_batch_zengin"),
    path("staff/payouts/batches/<int:batch_id>/confirm", payouts.staff_batch_confirm, name="staff_batch_confirm"),
    path(
        "staff/payouts/batches/<int:batch_id>/withdrawals/<int:withdrawal_id>/return",
        payouts.staff_withdrawal_return,
        name="staff_withdrawal_return",
    ),
]
