"""Words the pages show from data: states, events, kinds and stages, as the domain names
them with spaces for underscores (``at_checkpoint`` is shown as "at checkpoint").

Listed here only so that catalog extraction finds them (``N_`` marks a string for the
catalog without translating it); the templates translate them with the ``term`` filter.
A unit test checks that every value of the enums the pages show is listed.
"""


def N_(message: str) -> str:
    return message


STATES = (
    # consignments
    N_("pledged"), N_("pre advised"), N_("in transit"), N_("arrived"), N_("screening"),
    N_("held"), N_("under review"), N_("cleared"), N_("rejected"),
    N_("partially received"), N_("received"), N_("closed"), N_("cancelled"), N_("lost"),
    N_("returned"),
    # customs clearance and seal checks
    N_("documents received"), N_("intact"), N_("broken"), N_("number mismatch"),
    N_("none"),
    # requests, plans, release orders
    N_("draft"), N_("submitted"), N_("approved"), N_("planned"), N_("fulfilled"),
    N_("partly fulfilled"), N_("discarded"), N_("verified"), N_("accepted"),
    N_("released"),
    # waybills, pick lists, loss reports, screening hits
    N_("issued"), N_("dispatched"), N_("delivered"), N_("open"), N_("done"),
    N_("reviewed"), N_("escalated"), N_("confirmed"),
)
EVENTS = (
    # a vehicle on the road
    N_("departed"), N_("at checkpoint"), N_("delayed"),
    # a consignment's timeline
    N_("registered"), N_("screened"), N_("arrival recorded"), N_("GRN issued"),
    N_("triaged"), N_("put away"),
)
KINDS = (
    # stock movements
    N_("receipt"), N_("transfer"), N_("dispatch"), N_("adjustment"), N_("disposal"),
    N_("delivery"), N_("reversal"), N_("inbound"), N_("return"),
    # screening hits
    N_("party"), N_("goods"),
    # stages of the inbound pipeline
    N_("expected"), N_("in screening"), N_("receiving"),
    # how the plan was solved
    N_("optimal"), N_("time limit"), N_("heuristic"),
)
