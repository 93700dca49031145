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

PEOPLE = (
    # roles a user is granted
    N_("admin"), N_("coordinator"), N_("hub manager"), N_("reception"), N_("warehouse"),
    N_("dispatcher"), N_("partner"), N_("donor"), N_("no role"),
    # what an API token may do (its scopes)
    N_("read"), N_("consignments"), N_("receive"), N_("screen"), N_("request"),
    N_("approve requests"), N_("plan"), N_("approve plans"), N_("release"), N_("pick"),
    N_("deliver"), N_("review losses"), N_("report"), N_("sync"),
    # organisations and sites
    N_("un agency"), N_("government"), N_("ngo"), N_("private"), N_("community"),
    N_("hub"), N_("point of entry"), N_("distribution point"),
    # request priorities
    N_("life-saving"), N_("important"), N_("other"),
)
SCREENING = (
    # the parts of a name, as the screening hit page explains a score
    N_("given name"), N_("middle name"), N_("father's name"), N_("family name"),
    N_("kunya"), N_("kunya marker"), N_("honorific"), N_("particle"), N_("word"),
    N_("generic word"), N_("legal form"), N_("number"), N_("initial"),
    # how much a list's name says
    N_("primary"), N_("strong"), N_("weak"),
    # what a hold is on, and a party's role in a consignment
    N_("consignment"), N_("line"), N_("consignor"), N_("consignee"), N_("transporter"),
    N_("driver"), N_("organisation"),
    # what a hit compares (the keys of its evidence)
    N_("name"), N_("name in own script"), N_("kind"), N_("born"), N_("nationality"),
    N_("document"), N_("submitted by"), N_("description"), N_("item"), N_("quantity"),
    N_("list"), N_("entry"), N_("all names"), N_("documents"), N_("programme"),
    N_("listed on"),
)
SYNC = (
    # conflicts a site node's offline work brought
    N_("overdrawn"), N_("duplicate number"), N_("stale list"), N_("rejected row"),
)
