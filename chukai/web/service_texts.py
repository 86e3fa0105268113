"""Messages the services raise (in English), listed so the pages can show them translated.

`gettext(detail)` at render time finds these in the catalogue; anything not listed
is shown as the service wrote it.
"""

from django.utils.translation import gettext_noop

SERVICE_TEXTS = [
    gettext_noop("A contract needs at least one milestone."),
    gettext_noop("A due-date change is already waiting for an answer."),
    gettext_noop("A plan change is already waiting for an answer."),
    gettext_noop("A split needs the yen paid to the worker (0 or more)."),
    gettext_noop("At most 10,000 characters."),
    gettext_noop("Give a reason of 1 to 5,000 characters."),
    gettext_noop("Give a title of 1 to 200 characters."),
    gettext_noop("Give at least one milestone."),
    gettext_noop("Give the new due date."),
    gettext_noop("Must be a whole number of yen."),
    gettext_noop("Must be zero or a positive number of yen."),
    gettext_noop("No milestone is delivered."),
    gettext_noop("Nothing is held in escrow."),
    gettext_noop("Only a party of the contract opens a support case."),
    gettext_noop("Only the job's client accepts a proposal."),
    gettext_noop("Only the parties of a contract rate each other."),
    gettext_noop("Only the party that opened the case escalates it."),
    gettext_noop("Only the requester may withdraw the request."),
    gettext_noop("Say what to revise (1 to 10,000 characters)."),
    gettext_noop("The file is empty."),
    gettext_noop("The new due date is in the past."),
    gettext_noop("The other party agrees to a termination request."),
    gettext_noop("The other party answers a proposal."),
    gettext_noop("The other party declines a termination request; you may withdraw it."),
    gettext_noop("This email address is already registered."),
    gettext_noop("This job no longer takes proposals."),
    gettext_noop("This proposal can no longer be accepted."),
    gettext_noop("This support case is closed."),
    gettext_noop("Under this policy an early termination refunds the escrow in full."),
    gettext_noop("Write a message (1 to 10,000 characters)."),
    gettext_noop("Write a message of 1 to 10,000 characters."),
    gettext_noop("You cannot propose on your own job."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("Enter a name of 1 to 100 characters."),
    gettext_noop("Unknown time zone."),
    gettext_noop("Describe the job in 1 to 20,000 characters."),
]
