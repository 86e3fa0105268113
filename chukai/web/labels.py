"""Words for codes: statuses, reasons, events, notifications (all translatable)."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CONTRACT_STATUS: dict[str, Promise] = {
    "awaiting_escrow": _("Awaiting escrow"),
    "in_progress": _("In progress"),
    "completed": _("Completed"),
    "cancelled": _("Cancelled"),
}

MILESTONE_STATUS: dict[str, Promise] = {
    "unfunded": _("Not funded"),
    "awaiting_payment": _("Awaiting bank transfer"),
    "escrowed": _("Escrowed"),
    "delivered": _("Delivered, awaiting acceptance"),
    "paid": _("Paid"),
    "refunded": _("Refunded to client"),
    "cancelled": _("Cancelled"),
    "settled": _("Settled (split)"),
}

# What the money of a milestone is doing, for people who do not read status codes.
MILESTONE_MONEY: dict[str, Promise] = {
    "unfunded": _("No money held yet"),
    "awaiting_payment": _("Payment not yet received"),
    "escrowed": _("Held in escrow"),
    "delivered": _("Held in escrow"),
    "paid": _("Paid to the worker"),
    "refunded": _("Returned to the client"),
    "cancelled": _("Never funded"),
    "settled": _("Split between both"),
}

REASONS: dict[str, Promise] = {
    "not_allowed_by_policy": _("This contract's policy does not offer this."),
    "not_fixed_price": _("Only for fixed-price contracts."),
    "not_in_progress": _("The contract is not in progress."),
    "too_soon": _("Not yet: the counterpart has not been silent long enough."),
    "already_filed": _("You have already filed one on this contract."),
    "counterpart_filed": _("Your counterpart's request is open."),
    "plan_change_pending": _("A plan change is waiting for an answer."),
    "request_open": _("A request is already waiting for an answer."),
    "invalid_state": _("Not possible in the current state."),
    "not_your_role": _("Your role in this contract cannot do this."),
    "rating_window_closed": _("The rating window has closed."),
    "already_rated": _("You have already rated."),
    "no_message_waiting": _("Send a message first; the wait starts from your unanswered message."),
    "not_delivered": _("Nothing is delivered yet."),
    "forbidden": _("Not allowed for your role."),
    "not_found": _("Not found."),
    "rate_limited": _("Too many attempts. Please wait and try again."),
    "payment_declined": _("The card was declined."),
    "awaiting_payment": _("The bank transfer has not arrived yet: escrow is not in place."),
    "payment_failed": _("The payment service did not answer. Nothing was charged; please try again."),
    # Money out (DOMAIN §10)
    "no_bank_account": _("Register a bank account first."),
    "below_minimum": _("The amount is below the minimum withdrawal."),
    "insufficient_balance": _("The amount is more than your balance."),
    "nothing_due": _("No withdrawal is due on or before that pay day."),
}

ACTIONS: dict[str, Promise] = {
    "fund": _("Fund escrow"),
    "deliver": _("Report completion"),
    "accept": _("Accept delivery"),
    "request_revision": _("Request revision"),
    "due_date_change": _("Propose a new due date"),
    "plan_change": _("Propose a plan change"),
    "message": _("Send a message"),
    "contact_reminder": _("Contact reminder request"),
    "termination_request": _("Early termination request"),
    "support_case": _("Contact the support office"),
    "rating": _("Rate your counterpart"),
    "rate": _("Rate your counterpart"),
}

EVENTS: dict[str, Promise] = {
    "contract_formed": _("Contract formed"),
    "milestone_funded": _("Escrow funded"),
    "payment_awaited": _("Bank transfer chosen; waiting for the payment"),
    "transfer_received": _("Bank transfer received"),
    "payment_expired": _("Bank transfer not received in time; funding cancelled"),
    "milestone_delivered": _("Completion reported"),
    "milestone_accepted": _("Delivery accepted; payment confirmed"),
    "milestone_auto_accepted": _("Accepted automatically; payment confirmed"),
    "revision_requested": _("Revision requested"),
    "acceptance_lapsed": _("Acceptance period lapsed"),
    "due_date_proposed": _("New due date proposed"),
    "due_date_accepted": _("New due date accepted"),
    "due_date_declined": _("New due date declined"),
    "plan_change_proposed": _("Plan change proposed"),
    "plan_change_accepted": _("Plan change accepted"),
    "plan_change_declined": _("Plan change declined"),
    "settled": _("Money settled"),
    "contract_ended": _("Contract ended"),
    "message_sent": _("Message sent"),
    "contact_reminder_filed": _("Contact reminder filed"),
    "contact_reminder_answered": _("Contact reminder answered"),
    "contact_reminder_expired": _("Contact reminder expired"),
    "termination_requested": _("Early termination requested"),
    "termination_agreed": _("Early termination agreed"),
    "termination_declined": _("Early termination declined"),
    "termination_withdrawn": _("Early termination withdrawn"),
    "termination_took_effect": _("Early termination took effect"),
    "support_case_opened": _("Support case opened"),
    "support_case_escalated": _("Support case escalated"),
    "official_notice_sent": _("Official notice from the support office"),
    "support_decided": _("Decided by the support office"),
    "penalty_mark_issued": _("Penalty mark issued"),
    "rating_given": _("Rating given"),
    "contact_reminder_confirmed": _("Contact reminder confirmed"),
    "official_notice_answered": _("Official notice answered"),
    "official_notice_lapsed": _("Official notice lapsed without an answer"),
    "support_case_closed": _("Support case closed"),
    "support_case_decided": _("Decided by the support office"),
    "support_case_ready": _("Support case ready for decision"),
    "support_case_withdrawn": _("Support case withdrawn"),
    "support_note_added": _("Internal note added by the support office"),
    "due_date_set_by_staff": _("Due date set by the support office"),
    "ratings_revealed": _("Ratings revealed"),
    "rating_submitted": _("Rating given"),
}

MONEY_WORDS: dict[str, Promise] = {
    "worker_jpy": _("to the worker"),
    "client_jpy": _("to the client"),
    "amount_jpy": _("amount"),
    "client_fee_jpy": _("client fee"),
    "worker_fee_jpy": _("fee"),
    "pay_worker_jpy": _("pay the worker"),
}

ROLES: dict[str, Promise] = {
    "client": _("Client"),
    "worker": _("Worker"),
    "staff": _("Support office"),
    "system": _("chukai (automatic rule)"),
}

END_CAUSES: dict[str, Promise] = {
    "completed": _("completed"),
    "agreement": _("cancelled by agreement"),
    "silence": _("ended because a party went silent"),
    "staff_decision": _("decided by the support office"),
}

CASE_KINDS: dict[str, Promise] = {
    "unresponsive": _("Counterpart does not respond"),
    "acceptance_overdue": _("Acceptance is overdue"),
    "dispute": _("Dispute"),
    "other": _("Other"),
}

CASE_STATUS: dict[str, Promise] = {
    "open": _("Open"),
    "awaiting_response": _("Awaiting response to a notice"),
    "ready_for_decision": _("Ready for decision"),
    "closed": _("Closed"),
}

DECISIONS: dict[str, Promise] = {
    "release_delivered": _("Release delivered milestones to the worker"),
    "refund_escrow": _("Refund escrow to the client"),
    "split": _("Split the escrow"),
    "cancel": _("Cancel the contract"),
    "extend_due_date": _("Extend the due date"),
}

REQUEST_STATUS: dict[str, Promise] = {
    "open": _("Open"),
    "answered": _("Answered"),
    "expired": _("Expired (rule applied)"),
    "agreed": _("Agreed"),
    "declined": _("Declined"),
    "withdrawn": _("Withdrawn"),
    "took_effect": _("Took effect"),
    "pending": _("Waiting for an answer"),
    "accepted": _("Accepted"),
    "closed": _("Closed (the contract ended otherwise)"),
}

DEADLINES: dict[str, Promise] = {
    "payment_due": _("Bank transfer pay-by time"),
    "auto_accept": _("Automatic acceptance"),
    "acceptance_due": _("Acceptance period ends"),
    "contact_reminder_expiry": _("Contact reminder deadline"),
    "contact_reminder_due": _("Contact reminder deadline"),
    "reminder_expire": _("Contact reminder deadline"),
    "termination_takes_effect": _("Early termination takes effect"),
    "termination_effect": _("Early termination takes effect"),
    "termination_take_effect": _("Early termination takes effect"),
    "contact_reminder_expire": _("Contact reminder deadline"),
    "support_notice_lapse": _("Official notice deadline"),
    "rating_window_close": _("Rating window closes"),
    "notice_due": _("Official notice deadline"),
    "rating_window": _("Rating window closes"),
}

NOTIFICATIONS: dict[str, Promise] = {
    "escrow_in_place": _("Escrow is in place"),
    "transfer_instructions": _("Please pay by bank transfer"),
    "transfer_awaited": _("Waiting for the client's bank transfer"),
    "transfer_short": _("Transfer received, not the full amount"),
    "transfer_to_balance": _("Transfer credited to your balance"),
    "payment_received": _("Money added to your balance"),
    "payout_paid": _("Sent to your bank"),
    "payout_returned": _("Transfer returned"),
    "payment_expired": _("Bank transfer not received in time"),
    "contract_formed": _("A contract was formed"),
    "milestone_delivered": _("Completion was reported"),
    "milestone_paid": _("Payment confirmed"),
    "revision_requested": _("A revision was requested"),
    "acceptance_reminder": _("Acceptance period ends soon"),
    "acceptance_lapsed": _("The acceptance period lapsed"),
    "due_date_proposed": _("A new due date was proposed"),
    "due_date_accepted": _("Your new due date was accepted"),
    "due_date_declined": _("Your new due date was declined"),
    "plan_change_proposed": _("A plan change was proposed"),
    "plan_change_accepted": _("Your plan change was accepted"),
    "plan_change_declined": _("Your plan change was declined"),
    "message": _("New message"),
    "message_received": _("New message"),
    "contract_ended": _("The contract ended"),
}

REQUEST_KINDS: dict[str, Promise] = {
    "due_date_change": _("Due date change"),
    "plan_change": _("Plan change"),
    "contact_reminder": _("Contact reminder request"),
    "termination_request": _("Early termination request"),
    "support_case": _("Support case"),
}

LAST_SEEN: dict[str, Promise] = {
    "never": _("never signed in"),
    "within_a_day": _("within a day"),
    "within_3_days": _("within 3 days"),
    "within_a_week": _("within a week"),
    "within_a_month": _("within a month"),
    "over_a_month": _("more than a month ago"),
}

POLICY_ON_LAPSE: dict[str, Promise] = {
    "nothing": _("nothing happens by itself"),
    "support": _("the worker goes to the support office"),
    "auto_accept": _("the delivery is accepted automatically"),
}


# --- Money out (DOMAIN §10): balance, withdrawals, bank account, payout batches ---------

WITHDRAWAL_STATUS: dict[str, Promise] = {
    "requested": _("Requested"),
    "cancelled": _("Cancelled (back in the balance)"),
    "in_batch": _("Being transferred"),
    "paid": _("Paid"),
    "returned": _("Returned by the bank"),
}

BATCH_STATUS: dict[str, Promise] = {
    "created": _("Built, not confirmed"),
    "confirmed": _("Confirmed (paid)"),
}

ACCOUNT_TYPES: dict[str, Promise] = {
    "ordinary": _("Ordinary (futsu)"),
    "checking": _("Checking (toza)"),
    "savings": _("Savings (chochiku)"),
}

# Lines of the statement: what moved the balance.
STATEMENT_KINDS: dict[str, Promise] = {
    "release": _("Earnings (payment released)"),
    "split": _("Settlement (split)"),
    "refund": _("Refund"),
    "fund": _("Escrow funded from the balance"),
    "withdrawal": _("Withdrawal request"),
    "withdrawal_cancel": _("Withdrawal cancelled"),
    "payout": _("Transferred to your bank"),
    "payout_return": _("Transfer returned by the bank"),
    "transfer_hold": _("Escrow funded from the balance"),
    "transfer_in": _("Bank transfer received (the excess to the balance)"),
    "transfer_release": _("Pending bank transfer released to the balance"),
}


def label(table: dict[str, Promise], code: Any) -> str:
    if code is None:
        return ""
    text = table.get(str(code))
    return str(text) if text is not None else str(code).replace("_", " ")


# --- Money in (DOMAIN §11): the fund confirmation step -------------------------------------

PAYMENT_METHODS: dict[str, Promise] = {
    "card": _("Credit card"),
    "bank_transfer": _("Bank transfer (銀行振込)"),
}

PAYMENT_STATUS: dict[str, Promise] = {
    "pending": _("Waiting for the transfer"),
    "succeeded": _("Paid"),
    "declined": _("Declined"),
    "failed": _("Failed"),
    "expired": _("Expired"),
    "cancelled": _("Cancelled"),
}

# 要対応 (chukai.todo): what the user must do next.
TODO: dict[str, Promise] = {
    "fund": _("Fund escrow"),
    "deliver": _("Deliver"),
    "accept": _("Review the delivery"),
    "answer_reminder": _("Answer the contact reminder"),
    "answer_termination": _("Answer the request to end the contract"),
    "answer_notice": _("Answer the support office"),
    "rate": _("Rate the other party"),
}
