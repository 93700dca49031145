"""The database schema (SQLAlchemy Core). Change it only together with a migration."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from aidhub.store.types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# A node is one installation that records movements and audit records: the central server
# or a site's offline node. Each numbers its own movements and audit records.
nodes = Table(
    "nodes",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("is_local", Boolean, nullable=False, default=False),
    Column("movement_seq", BigInteger, nullable=False, default=0),
    Column("audit_seq", BigInteger, nullable=False, default=0),
    Column("audit_head", String(64), nullable=False),
    Column("outbox_seq", BigInteger, nullable=False, server_default="0"),
)

# Every command that changes data runs once per idempotency key; its result is kept here
# so that a retry gets the first answer.
commands = Table(
    "commands",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("name", String(60), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("result", Text, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("at", UTCDateTime, nullable=False),
)

organisations = Table(
    "organisations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("name_ar", String(200)),
    Column("type", String(20), nullable=False),
    Column("country", String(2)),
)

sites = Table(
    "sites",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("pcode", String(12)),
    Column("locode", String(5)),
    Column("lat", Numeric(9, 6)),
    Column("lon", Numeric(9, 6)),
    Column("operator_id", Uuid, ForeignKey("organisations.id")),
    Column("population", Integer),
)

locations = Table(
    "locations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("site_id", Uuid, ForeignKey("sites.id"), nullable=False),
    Column("code", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("physical", Boolean, nullable=False),
    UniqueConstraint("site_id", "code", name="uq_locations_site_code"),
)

items = Table(
    "items",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("name_en", String(200), nullable=False),
    Column("name_ar", String(200)),
    Column("name_ru", String(200)),
    Column("category", String(30), nullable=False),
    Column("unit", String(30), nullable=False),
    Column("weight_kg", Numeric(14, 4), nullable=False),
    Column("volume_m3", Numeric(14, 6), nullable=False),
    Column("shelf_life", Boolean, nullable=False),
    Column("cold_chain", Boolean, nullable=False),
    Column("hs_code", String(12)),
    Column("gtin", String(14)),
)

lots = Table(
    "lots",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("item_id", Uuid, ForeignKey("items.id"), nullable=False),
    Column("batch", String(60), nullable=False),
    Column("expiry", Date),
    UniqueConstraint("item_id", "batch", name="uq_lots_item_batch"),
)

movements = Table(
    "movements",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("node_id", Uuid, ForeignKey("nodes.id"), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("reference", String(100), nullable=False, default=""),
    Column("note", Text, nullable=False, default=""),
    Column("reverses", Uuid, ForeignKey("movements.id"), unique=True),
    Column("command_id", Uuid, ForeignKey("commands.id"), nullable=False),
    UniqueConstraint("node_id", "seq", name="uq_movements_node_seq"),
    Index("ix_movements_at", "at"),
)

postings = Table(
    "postings",
    metadata,
    Column("movement_id", Uuid, ForeignKey("movements.id"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("location_id", Uuid, ForeignKey("locations.id"), nullable=False),
    Column("item_id", Uuid, ForeignKey("items.id"), nullable=False),
    Column("lot_id", Uuid, ForeignKey("lots.id"), nullable=False),
    Column("owner_id", Uuid, ForeignKey("organisations.id"), nullable=False),
    Column("earmark", String(60), nullable=False, server_default=""),
    Column("quantity", BigInteger, nullable=False),
    CheckConstraint("quantity <> 0", name="nonzero"),
    Index("ix_postings_item_location", "item_id", "location_id"),
    Index("ix_postings_location", "location_id"),
)

# On-hand balances, updated in the same transaction as each movement. `aidhub ledger
# verify` recomputes them from the postings.
balances = Table(
    "balances",
    metadata,
    Column("location_id", Uuid, ForeignKey("locations.id"), primary_key=True),
    Column("item_id", Uuid, ForeignKey("items.id"), primary_key=True),
    Column("lot_id", Uuid, ForeignKey("lots.id"), primary_key=True),
    Column("owner_id", Uuid, ForeignKey("organisations.id"), primary_key=True),
    Column("earmark", String(60), primary_key=True, server_default=""),
    Column("physical", Boolean, nullable=False),
    Column("quantity", BigInteger, nullable=False),
)

audit_records = Table(
    "audit_records",
    metadata,
    Column("node_id", Uuid, ForeignKey("nodes.id"), primary_key=True),
    Column("seq", BigInteger, primary_key=True),
    Column("at", String(32), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(60), nullable=False),
    Column("subject", String(100), nullable=False),
    Column("payload", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# Inbound ---------------------------------------------------------------------------------

settings = Table(
    "settings",
    metadata,
    Column("key", String(60), primary_key=True),
    Column("value", Text, nullable=False),
)

# Numbering of documents and identifiers (GRN numbers, consignment numbers, SSCC serials).
counters = Table(
    "counters",
    metadata,
    Column("name", String(60), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

channels = Table(
    "channels",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("mode", String(10), nullable=False),
    Column("route", String(30), nullable=False),
    Column("provider_type", String(20), nullable=False),
)

consignments = Table(
    "consignments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("number", String(40), nullable=False, unique=True),
    Column("hub_id", Uuid, ForeignKey("sites.id"), nullable=False),
    Column("consignor_id", Uuid, ForeignKey("organisations.id"), nullable=False),
    Column("consignee_id", Uuid, ForeignKey("organisations.id"), nullable=False),
    Column("donor_id", Uuid, ForeignKey("organisations.id")),
    Column("channel_id", Uuid, ForeignKey("channels.id")),
    Column("point_of_entry_id", Uuid, ForeignKey("sites.id")),
    Column("state", String(20), nullable=False),
    Column("eta", Date),
    Column("document_type", String(20)),
    Column("document_number", String(60), nullable=False, server_default=""),
    Column("vehicle", String(100), nullable=False, server_default=""),
    Column("driver", String(100), nullable=False, server_default=""),
    Column("seals", String(200), nullable=False, server_default=""),
    Column("arrived_at", UTCDateTime),
    Column("documents_checked", Text, nullable=False, server_default=""),
    Column("clearance", String(20)),
    Column("seal_check", String(20)),
    Column("seals_found", String(200), nullable=False, server_default=""),
    Column("protest_letter", String(100), nullable=False, server_default=""),
    Column("survey_report", String(100), nullable=False, server_default=""),
    Column("source_hash", String(64), index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_consignments_hub_state", "hub_id", "state"),
)

consignment_lines = Table(
    "consignment_lines",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("consignment_id", Uuid, ForeignKey("consignments.id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("item_id", Uuid, ForeignKey("items.id")),
    Column("description", String(300), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("unit", String(30), nullable=False),
    Column("batch", String(60), nullable=False, server_default=""),
    Column("expiry", Date),
    Column("weight_kg", Numeric(14, 3)),
    Column("volume_m3", Numeric(14, 4)),
    Column("value", Numeric(16, 2)),
    Column("currency", String(3), nullable=False, server_default=""),
    Column("donor_id", Uuid, ForeignKey("organisations.id")),
    Column("earmark", String(60), nullable=False, server_default=""),
    Column("sscc", String(18), nullable=False, server_default=""),
    Column("received", BigInteger, nullable=False, server_default="0"),
    Column("short", BigInteger, nullable=False, server_default="0"),
    Column("closed", Boolean, nullable=False, server_default="0"),
    # What this line has in the hub's IN-TRANSIT location, and under which lot: posted when
    # the consignment is on its way, taken out by GRNs (and by a short when it is closed).
    Column("transit_lot_id", Uuid, ForeignKey("lots.id")),
    Column("in_transit", BigInteger, nullable=False, server_default="0"),
    # the waybill line the goods came on: a transfer from another hub, or a return from a
    # distribution point
    Column("waybill_line_id", Uuid, ForeignKey("waybill_lines.id"), index=True),
    UniqueConstraint("consignment_id", "line_no", name="uq_consignment_lines_line"),
)

# The consignment's timeline: every change of state and every movement, who, when, why.
consignment_events = Table(
    "consignment_events",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("consignment_id", Uuid, ForeignKey("consignments.id"), nullable=False,
           index=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(40), nullable=False),
    Column("from_state", String(20)),
    Column("to_state", String(20)),
    Column("reason", Text, nullable=False, server_default=""),
    Column("movement_id", Uuid, ForeignKey("movements.id")),
    Column("document", String(40), nullable=False, server_default=""),
)

grns = Table(
    "grns",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("number", String(40), nullable=False, unique=True),
    Column("consignment_id", Uuid, ForeignKey("consignments.id"), nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("received_by", String(100), nullable=False),
    Column("delivered_by", String(100), nullable=False, server_default=""),
    Column("notes", Text, nullable=False, server_default=""),
    Column("movement_id", Uuid, ForeignKey("movements.id"), nullable=False),
)

grn_lines = Table(
    "grn_lines",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("grn_id", Uuid, ForeignKey("grns.id"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("consignment_line_id", Uuid, ForeignKey("consignment_lines.id")),
    Column("item_id", Uuid, ForeignKey("items.id"), nullable=False),
    Column("lot_id", Uuid, ForeignKey("lots.id"), nullable=False),
    Column("owner_id", Uuid, ForeignKey("organisations.id"), nullable=False),
    Column("earmark", String(60), nullable=False, server_default=""),
    Column("good", BigInteger, nullable=False),
    Column("damaged", BigInteger, nullable=False),
    # where the good goods went: the receiving area, or quarantine (priority 3, expired)
    Column("quarantined", Boolean, nullable=False, server_default="0"),
    Column("over", BigInteger, nullable=False),
    Column("short", BigInteger, nullable=False),
    Column("priority", Integer),
    Column("category", String(30)),
    Column("disposition", String(20)),
    Column("triage_reason", Text, nullable=False, server_default=""),
    Column("triaged_at", UTCDateTime),
    Column("triaged_by", String(100)),
)

handling_units = Table(
    "handling_units",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("sscc", String(18), nullable=False, unique=True),
    Column("grn_line_id", Uuid, ForeignKey("grn_lines.id"), nullable=False, index=True),
    Column("quantity", BigInteger, nullable=False),
    Column("location_id", Uuid, ForeignKey("locations.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("put_away_at", UTCDateTime),
)

# Screening -------------------------------------------------------------------------------

# Each load of a sanctions list file is a version; its entries are kept as loaded (JSON).
list_versions = Table(
    "list_versions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("list", String(40), nullable=False),
    Column("format", String(20), nullable=False),
    Column("generated", UTCDateTime),
    Column("file_hash", String(64), nullable=False),
    Column("loaded_at", UTCDateTime, nullable=False),
    Column("loaded_by", String(100), nullable=False),
    Column("entries", Integer, nullable=False),
    Column("added", Integer, nullable=False),
    Column("removed", Integer, nullable=False),
    Column("changed", Integer, nullable=False),
    Index("ix_list_versions_list_loaded", "list", "loaded_at"),
)

list_entries = Table(
    "list_entries",
    metadata,
    Column("version_id", Uuid, ForeignKey("list_versions.id"), primary_key=True),
    Column("entry_id", String(60), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("caption", String(300), nullable=False),
    Column("fingerprint", String(16), nullable=False),
    Column("data", Text, nullable=False),
)

parties = Table(
    "parties",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("name", String(300), nullable=False),
    Column("original_name", String(300)),
    Column("birth_date", Date),
    Column("nationality", String(60)),
    Column("id_number", String(60)),
    Column("organisation_id", Uuid, ForeignKey("organisations.id"), unique=True),
    Column("submitted_by", String(100), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# Which parties a consignment involves, and as what.
party_links = Table(
    "party_links",
    metadata,
    Column("party_id", Uuid, ForeignKey("parties.id"), primary_key=True),
    Column("consignment_id", Uuid, ForeignKey("consignments.id"), primary_key=True),
    Column("role", String(20), primary_key=True),
)

screening_hits = Table(
    "screening_hits",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", String(10), nullable=False),  # party | goods
    Column("party_id", Uuid, ForeignKey("parties.id"), index=True),
    Column("consignment_line_id", Uuid, ForeignKey("consignment_lines.id"), index=True),
    Column("list", String(40), nullable=False),
    Column("entry_id", String(60), nullable=False),
    Column("entry_name", String(300), nullable=False),
    Column("entry_fingerprint", String(16), nullable=False),
    Column("party_fingerprint", String(16), nullable=False),
    Column("score", Numeric(5, 4), nullable=False),
    Column("explanation", Text, nullable=False),
    Column("state", String(12), nullable=False),
    Column("submitted_by", String(100), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("decided_by", String(100)),
    Column("decided_at", UTCDateTime),
    Column("reason", Text, nullable=False, server_default=""),
    Column("exemption", String(20)),
    Column("licence", String(100), nullable=False, server_default=""),
)

holds = Table(
    "holds",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("subject", String(20), nullable=False),  # party | consignment | line
    Column("subject_id", Uuid, nullable=False),
    Column("hit_id", Uuid, ForeignKey("screening_hits.id")),
    Column("reason", Text, nullable=False),
    Column("state", String(10), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("released_at", UTCDateTime),
    Column("released_by", String(100)),
    Index("ix_holds_subject", "subject", "subject_id", "state"),
)

goods_list_versions = Table(
    "goods_list_versions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("file_hash", String(64), nullable=False),
    Column("loaded_at", UTCDateTime, nullable=False),
    Column("loaded_by", String(100), nullable=False),
    Column("content", Text, nullable=False),
)


# Needs, requests and allocation ------------------------------------------------------------

# Figures of a site that change over time (sites themselves never change once written):
# the people and households a distribution point serves, what a hub can send out per day.
site_planning = Table(
    "site_planning",
    metadata,
    Column("site_id", Uuid, ForeignKey("sites.id"), primary_key=True),
    Column("population", Integer),
    Column("households", Integer),
    Column("dispatch_capacity_kg", Numeric(14, 2)),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(100), nullable=False),
)

routes = Table(
    "routes",
    metadata,
    Column("hub_id", Uuid, ForeignKey("sites.id"), primary_key=True),
    Column("point_id", Uuid, ForeignKey("sites.id"), primary_key=True),
    Column("cost_per_kg", Numeric(12, 4), nullable=False),
    Column("lead_days", Integer, nullable=False),
    Column("open", Boolean, nullable=False),
    Column("capacity_kg", Numeric(14, 2)),
    Column("note", Text, nullable=False, server_default=""),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(100), nullable=False),
)

requests = Table(
    "requests",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("number", String(40), nullable=False, unique=True),
    Column("organisation_id", Uuid, ForeignKey("organisations.id"), nullable=False),
    Column("point_id", Uuid, ForeignKey("sites.id"), nullable=False),
    Column("state", String(20), nullable=False),
    Column("needed_by", Date),
    Column("note", Text, nullable=False, server_default=""),
    Column("reason", Text, nullable=False, server_default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("submitted_at", UTCDateTime),
    Column("submitted_by", String(100)),
    Column("decided_at", UTCDateTime),
    Column("decided_by", String(100)),
    Index("ix_requests_state", "state"),
)

request_lines = Table(
    "request_lines",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("request_id", Uuid, ForeignKey("requests.id"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("item_id", Uuid, ForeignKey("items.id"), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("priority", Integer, nullable=False),
    Column("needed_by", Date),
    # how a quantity computed from planning figures was reached; empty when typed in
    Column("basis", Text, nullable=False, server_default=""),
    Column("planned", BigInteger, nullable=False, server_default="0"),
    UniqueConstraint("request_id", "line_no", name="uq_request_lines_line"),
    CheckConstraint("quantity > 0", name="quantity_positive"),
)

plans = Table(
    "plans",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("number", String(40), nullable=False, unique=True),
    Column("state", String(20), nullable=False),
    Column("plan_date", Date, nullable=False),
    Column("status", String(20), nullable=False),  # the solver's: optimal | time_limit
    Column("problem", Text, nullable=False),  # the problem JSON the solver was given
    Column("result", Text, nullable=False),  # the plan JSON it returned
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("decided_at", UTCDateTime),
    Column("decided_by", String(100)),
    Column("reason", Text, nullable=False, server_default=""),
)

release_orders = Table(
    "release_orders",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("number", String(40), nullable=False, unique=True),
    # no plan: a transfer to another hub, ordered by hand
    Column("plan_id", Uuid, ForeignKey("plans.id"), index=True),
    Column("hub_id", Uuid, ForeignKey("sites.id"), nullable=False),
    Column("state", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("changed_at", UTCDateTime),
    Column("changed_by", String(100)),
    Column("reason", Text, nullable=False, server_default=""),
    Index("ix_release_orders_hub_state", "hub_id", "state"),
)

release_order_lines = Table(
    "release_order_lines",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("release_order_id", Uuid, ForeignKey("release_orders.id"), nullable=False,
           index=True),
    Column("line_no", Integer, nullable=False),
    Column("point_id", Uuid, ForeignKey("sites.id"), nullable=False),
    Column("item_id", Uuid, ForeignKey("items.id"), nullable=False),
    Column("lot_id", Uuid, ForeignKey("lots.id"), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("quantity", BigInteger, nullable=False),
    # what has happened to the line since: picked into staging, dispatched on waybills,
    # delivered good by proof of delivery; closed when its last waybill is delivered
    Column("picked", BigInteger, nullable=False, server_default="0"),
    Column("dispatched", BigInteger, nullable=False, server_default="0"),
    Column("delivered", BigInteger, nullable=False, server_default="0"),
    Column("closed", Boolean, nullable=False, server_default="0"),
    UniqueConstraint("release_order_id", "line_no", name="uq_release_order_lines_line"),
)

# Which request lines a release order line serves, and with how much.
allocations = Table(
    "allocations",
    metadata,
    Column("release_order_line_id", Uuid, ForeignKey("release_order_lines.id"),
           primary_key=True),
    Column("request_line_id", Uuid, ForeignKey("request_lines.id"), primary_key=True),
    Column("quantity", BigInteger, nullable=False),
)

# Stock promised to release orders: per hub, lot and owner, what is still to be picked.
# Usable stock for the next plan is on hand minus this.
reservations = Table(
    "reservations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("release_order_line_id", Uuid, ForeignKey("release_order_lines.id"),
           nullable=False, index=True),
    Column("site_id", Uuid, ForeignKey("sites.id"), nullable=False),
    Column("item_id", Uuid, ForeignKey("items.id"), nullable=False),
    Column("lot_id", Uuid, ForeignKey("lots.id"), nullable=False),
    Column("owner_id", Uuid, ForeignKey("organisations.id"), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    CheckConstraint("quantity >= 0", name="not_negative"),
    Index("ix_reservations_site_lot", "site_id", "lot_id"),
)


# Outbound ----------------------------------------------------------------------------------

pick_lists = Table(
    "pick_lists",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("number", String(40), nullable=False, unique=True),
    Column("release_order_id", Uuid, ForeignKey("release_orders.id"), nullable=False,
           index=True),
    Column("hub_id", Uuid, ForeignKey("sites.id"), nullable=False),
    Column("state", String(20), nullable=False),  # open | done | cancelled
    Column("ship_date", Date, nullable=False),
    Column("skipped", Text, nullable=False, server_default="[]"),  # JSON: lots passed over
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
)

pick_lines = Table(
    "pick_lines",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("pick_list_id", Uuid, ForeignKey("pick_lists.id"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("release_order_line_id", Uuid, ForeignKey("release_order_lines.id"),
           nullable=False),
    Column("location_id", Uuid, ForeignKey("locations.id"), nullable=False),
    Column("lot_id", Uuid, ForeignKey("lots.id"), nullable=False),
    Column("owner_id", Uuid, ForeignKey("organisations.id"), nullable=False),
    Column("quantity", BigInteger, nullable=False),  # proposed
    Column("picked", BigInteger, nullable=False, server_default="0"),
    Column("loaded", BigInteger, nullable=False, server_default="0"),  # on waybills
    Column("picked_at", UTCDateTime),
    Column("picked_by", String(100)),
    Column("override_reason", Text, nullable=False, server_default=""),
    Column("sscc", String(18), nullable=False, server_default=""),
    Column("movement_id", Uuid, ForeignKey("movements.id")),
    UniqueConstraint("pick_list_id", "line_no", name="uq_pick_lines_line"),
)

convoys = Table(
    "convoys",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("number", String(40), nullable=False, unique=True),
    Column("hub_id", Uuid, ForeignKey("sites.id"), nullable=False),
    Column("route", Text, nullable=False, server_default=""),
    Column("checkpoints", Text, nullable=False, server_default=""),
    # the escort or humanitarian notification reference cross-line convoys need
    Column("notification", String(100), nullable=False, server_default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
)

waybills = Table(
    "waybills",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("number", String(40), nullable=False, unique=True),
    Column("hub_id", Uuid, ForeignKey("sites.id"), nullable=False),
    Column("destination_id", Uuid, ForeignKey("sites.id"), nullable=False),
    Column("consignee_id", Uuid, ForeignKey("organisations.id")),
    Column("state", String(20), nullable=False),
    Column("plate", String(30), nullable=False),
    Column("capacity_kg", Numeric(12, 2), nullable=False),
    Column("capacity_m3", Numeric(10, 3), nullable=False),
    Column("driver_party_id", Uuid, ForeignKey("parties.id"), nullable=False),
    Column("transporter_party_id", Uuid, ForeignKey("parties.id"), nullable=False),
    Column("seals", String(200), nullable=False, server_default=""),
    Column("convoy_id", Uuid, ForeignKey("convoys.id"), index=True),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("issued_by", String(100), nullable=False),
    Column("dispatched_at", UTCDateTime),
    Column("dispatch_movement_id", Uuid, ForeignKey("movements.id")),
    # a waybill to a hub becomes a consignment there when it leaves, received with a GRN
    Column("consignment_id", Uuid, ForeignKey("consignments.id"), index=True),
    Column("reason", Text, nullable=False, server_default=""),
    Index("ix_waybills_hub_state", "hub_id", "state"),
)

waybill_lines = Table(
    "waybill_lines",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("waybill_id", Uuid, ForeignKey("waybills.id"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("pick_line_id", Uuid, ForeignKey("pick_lines.id"), nullable=False),
    Column("release_order_line_id", Uuid, ForeignKey("release_order_lines.id"),
           nullable=False),
    Column("item_id", Uuid, ForeignKey("items.id"), nullable=False),
    Column("lot_id", Uuid, ForeignKey("lots.id"), nullable=False),
    Column("owner_id", Uuid, ForeignKey("organisations.id"), nullable=False),
    Column("from_location_id", Uuid, ForeignKey("locations.id"), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("sscc", String(18), nullable=False, server_default=""),
    UniqueConstraint("waybill_id", "line_no", name="uq_waybill_lines_line"),
)

# Where a vehicle is: departed, at a checkpoint, delayed, arrived; by hand or by the API.
waybill_events = Table(
    "waybill_events",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("waybill_id", Uuid, ForeignKey("waybills.id"), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("event", String(20), nullable=False),
    Column("place", String(200), nullable=False, server_default=""),
    Column("note", Text, nullable=False, server_default=""),
)

pods = Table(
    "pods",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("waybill_id", Uuid, ForeignKey("waybills.id"), nullable=False, unique=True),
    Column("received_at", UTCDateTime, nullable=False),
    Column("signer", String(100), nullable=False),
    Column("seal_state", String(20), nullable=False),
    Column("photo", LargeBinary),
    Column("photo_type", String(40), nullable=False, server_default=""),
    Column("recorded_by", String(100), nullable=False),
    Column("movement_id", Uuid, ForeignKey("movements.id"), nullable=False),
)

pod_lines = Table(
    "pod_lines",
    metadata,
    Column("pod_id", Uuid, ForeignKey("pods.id"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("good", BigInteger, nullable=False),
    Column("damaged", BigInteger, nullable=False),
    Column("short", BigInteger, nullable=False),
    Column("lost", BigInteger, nullable=False),
)

loss_reports = Table(
    "loss_reports",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("number", String(40), nullable=False, unique=True),
    Column("waybill_id", Uuid, ForeignKey("waybills.id"), nullable=False, unique=True),
    Column("share", Numeric(7, 6), nullable=False),
    Column("threshold", Numeric(7, 6), nullable=False),
    Column("state", String(20), nullable=False),  # open | reviewed
    Column("opened_at", UTCDateTime, nullable=False),
    Column("reviewed_at", UTCDateTime),
    Column("reviewed_by", String(100)),
    Column("decision", Text, nullable=False, server_default=""),
)


# people who sign in, what they may do, their sessions and API tokens --------------------
users = Table(
    "users",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("username", String(60), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("email", String(200), nullable=False, server_default=""),
    Column("password_hash", String(200), nullable=False),  # Argon2id, with its parameters
    Column("language", String(5), nullable=False, server_default="en"),
    Column("numerals", String(10), nullable=False, server_default="western"),
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("locked_until", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("password_changed_at", UTCDateTime, nullable=False),
)

grants = Table(
    "grants",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id"), nullable=False, index=True),
    Column("role", String(20), nullable=False),
    Column("organisation_id", Uuid, ForeignKey("organisations.id"), nullable=False),
    Column("hub_id", Uuid, ForeignKey("sites.id")),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    UniqueConstraint("user_id", "role", "organisation_id", "hub_id", name="uq_grants_grant"),
)

# A session's id is the SHA-256 of the cookie's random value: a stolen table opens nothing.
sessions = Table(
    "sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime),
    Column("address", String(64), nullable=False, server_default=""),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("prefix", String(12), nullable=False),  # shown in lists to tell tokens apart
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("scopes", Text, nullable=False),  # space-separated permissions
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
    Column("last_used", UTCDateTime),
)

sign_in_attempts = Table(
    "sign_in_attempts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("username", String(60), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("address", String(64), nullable=False, server_default=""),
    Column("reason", String(100), nullable=False, server_default=""),
    Index("ix_sign_in_attempts_username_at", "username", "at"),
)


# Reports as generated (PDF, XLSX): when, by whom, with what parameters, and the SHA-256 of
# the figures they were made from, so that a printed report can be matched to its data.
reports = Table(
    "reports",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("params", Text, nullable=False),  # JSON: donor, period, language, format...
    Column("generated_at", UTCDateTime, nullable=False),
    Column("generated_by", String(100), nullable=False),
    Column("inputs_hash", String(64), nullable=False),
    Column("filename", String(200), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Index("ix_reports_kind_generated_at", "kind", "generated_at"),
)


# Site nodes and sync ---------------------------------------------------------------------
# Every write transaction leaves, in the same commit, one outbox entry per row it inserted,
# changed or deleted in a replicated table (see aidhub.store.capture). ``seq`` is this
# installation's own order of commits; it is given under the local node's lock, so an
# entry never appears behind one a reader has already passed. ``origin`` is the node whose
# change it is (the central server relays a node's changes under that node's name).
sync_outbox = Table(
    "sync_outbox",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("origin_id", Uuid, nullable=False),
    Column("table_name", String(40), nullable=False),
    Column("op", String(1), nullable=False),  # u (insert or update) | d (delete)
    Column("pk", Text, nullable=False),  # JSON
    Column("row", Text),  # JSON; None for a delete
    Column("sites", Text, nullable=False, server_default=""),  # " id id " or "" for all
    Column("at", UTCDateTime, nullable=False),
)

# The other side(s): on a site node, the central server it syncs with (with the token it
# uses); on the central server, each site node. Cursors say how far each direction got.
sync_peers = Table(
    "sync_peers",
    metadata,
    Column("node_id", Uuid, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("role", String(10), nullable=False),  # central | node
    Column("site_id", Uuid, ForeignKey("sites.id")),
    Column("url", String(300), nullable=False, server_default=""),
    Column("token", String(200), nullable=False, server_default=""),  # on a node only
    Column("key_hash", String(64), nullable=False, server_default=""),  # batch signing
    Column("pushed_seq", BigInteger, nullable=False, server_default="0"),
    Column("pushed_batches", BigInteger, nullable=False, server_default="0"),
    Column("pushed_hash", String(64), nullable=False, server_default=""),
    Column("inflight_seq", BigInteger, nullable=False, server_default="0"),  # batch on its way
    Column("pulled_seq", BigInteger, nullable=False, server_default="0"),
    Column("snapshot", Text, nullable=False, server_default=""),  # JSON: initial pull cursor
    Column("list_version", String(100), nullable=False, server_default=""),
    Column("last_contact", UTCDateTime),
    Column("last_sync", UTCDateTime),
    Column("last_error", Text, nullable=False, server_default=""),
    Column("created_at", UTCDateTime, nullable=False),
)

# On the central server: each batch a node pushed, chained by hash, so that an altered,
# missing or replayed batch is recognised.
sync_batches = Table(
    "sync_batches",
    metadata,
    Column("node_id", Uuid, ForeignKey("sync_peers.node_id"), primary_key=True),
    Column("batch_no", BigInteger, primary_key=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("first_seq", BigInteger, nullable=False),
    Column("last_seq", BigInteger, nullable=False),
    Column("entries", Integer, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
)

# Business conflicts found when a node's work meets the central server's: the same lot
# dispatched twice, a document number used twice, a party cleared against an old list.
sync_conflicts = Table(
    "sync_conflicts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", String(30), nullable=False),
    Column("node_id", Uuid, nullable=False),
    Column("site_id", Uuid, ForeignKey("sites.id")),
    Column("subject", String(200), nullable=False),
    Column("detail", Text, nullable=False),
    Column("state", String(10), nullable=False),  # open | resolved
    Column("detected_at", UTCDateTime, nullable=False),
    Column("resolved_at", UTCDateTime),
    Column("resolved_by", String(100)),
    Column("resolution", Text, nullable=False, server_default=""),
    Index("ix_sync_conflicts_state", "state"),
)
