"""Request and response bodies of the HTTP API (docs/api.md); fields may be added, none renamed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from backend.core.status import RunStatus
from modules import registry

T = TypeVar("T")

NODE_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"


class ListOf(BaseModel, Generic[T]):
    data: list[T]
    count: int


# ---- accounts -----------------------------------------------------------------------------------
class Credentials(BaseModel):
    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    password: str = Field(min_length=8, max_length=256)


class LoginBody(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=256)
    new_password: str = Field(min_length=8, max_length=256)


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str


class LoginResult(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    user: UserPublic


# ---- datasets -----------------------------------------------------------------------------------
class ColumnInfo(BaseModel):
    name: str
    type: str


class DatasetPublic(BaseModel):
    id: str
    name: str
    n_rows: int
    n_columns: int
    columns: list[ColumnInfo]
    size_bytes: int
    created_at: datetime | None
    sample: bool = False
    description: str = ""
    owner: UserPublic | None = None


class SaveAsDataset(BaseModel):
    name: str = Field(min_length=1, max_length=255, description="The new dataset's name.")


class RowsPage(BaseModel):
    columns: list[str]
    rows: list[list[Any]]
    total: int
    offset: int
    limit: int


# ---- saved models -------------------------------------------------------------------------------
class SavedModelCreate(BaseModel):
    run_id: int = Field(ge=1, le=2_147_483_647, description="The run whose output to keep.")
    node_id: str = Field(min_length=1, max_length=64)
    port: str = Field(
        min_length=1, max_length=64, description="An output port of type trained_cluster_model."
    )
    name: str = Field(min_length=1, max_length=255)
    description: str = Field(default="", max_length=4000)


class SavedModelUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=4000)


class ModelSource(BaseModel):
    """Where a saved model was kept from (null for an imported one)."""

    experiment_id: int | None
    run_id: int | None
    node_id: str | None


class SavedModelPublic(BaseModel):
    id: str
    name: str
    description: str
    algorithm: str
    algorithm_name: str
    k: int
    feature_columns: list[dict[str, Any]] = Field(
        description="The input columns the model reads: {name, kind, categories} (kind: numeric, boolean, "
        "datetime or onehot)."
    )
    metric: str | None
    normalize: bool
    label_column: str | None = None
    created_at: datetime
    source: ModelSource | None
    owner: UserPublic
    owned: bool = Field(description="Whether the caller owns it (may rename or delete it).")
    size_bytes: int
    summary: dict[str, Any] = Field(
        description="The model's summary, as the output view shows a trained model."
    )


# ---- graphs & experiments -----------------------------------------------------------------------
# A graph in a response carries every field, defaults included: `json_schema_serialization_defaults_required`
# says so in the OpenAPI output schemas (`Graph-Output`…), which the frontend's generated types read.
class Position(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)
    x: float = 0.0
    y: float = 0.0


class GraphNode(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)
    id: str = Field(pattern=NODE_ID_PATTERN)
    module: str = Field(max_length=64)
    params: dict[str, Any] = Field(default_factory=dict)
    position: Position = Field(default_factory=Position)
    comment: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def current_param_names(self) -> GraphNode:
        """Saved parameters under the module's current names (renamed and retired ones migrated)."""
        self.params = registry.migrate_params(self.module, self.params)
        return self


class GraphEdge(BaseModel):
    id: str = Field(pattern=NODE_ID_PATTERN)
    source: str = Field(max_length=64)
    source_port: str = Field(max_length=64)
    target: str = Field(max_length=64)
    target_port: str = Field(max_length=64)


class Graph(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)
    nodes: list[GraphNode] = Field(default_factory=list, max_length=2000)
    edges: list[GraphEdge] = Field(default_factory=list, max_length=10000)


class ExperimentCreate(BaseModel):
    name: str = Field(min_length=1, max_length=255)
    description: str = Field(default="", max_length=10000)
    graph: Graph = Field(default_factory=Graph)


class ExperimentUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=10000)
    graph: Graph | None = None
    version: int = Field(ge=1)


class ExperimentClone(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=255)


class RunBrief(BaseModel):
    id: int
    status: RunStatus
    created_at: datetime
    finished_at: datetime | None = None


class ExperimentPublic(BaseModel):
    id: int
    name: str
    description: str
    graph: Graph
    version: int
    owner: UserPublic
    my_role: str = "owner"
    created_at: datetime
    updated_at: datetime
    last_run: RunBrief | None = None


class ExperimentVersionPublic(BaseModel):
    version: int
    name: str
    description: str
    graph: Graph
    created_at: datetime
    created_by: UserPublic | None = None


class ValidateBody(BaseModel):
    graph: Graph


class ValidationIssue(BaseModel):
    code: str
    message: str
    node_id: str | None = None
    edge_id: str | None = None
    port: str | None = None
    param: str | None = None


class ValidationResult(BaseModel):
    valid: bool
    errors: list[ValidationIssue]
    warnings: list[ValidationIssue]
    columns: dict[str, list[ColumnInfo]] = Field(
        default_factory=dict,
        description="The columns each output port will carry, where known before running ('node_id.port').",
    )
    columns_truncated: list[str] = Field(
        default_factory=list,
        description="Ports whose column list was cut short (STUDIO_MAX_VALIDATION_COLUMNS in all).",
    )
    signatures: dict[str, str] = Field(
        default_factory=dict,
        description="node id -> the signature a run would record for it (NodeRunPublic.signature), for every "
        "valid node whose datasets the caller may read and whose inputs are signed too.",
    )


# ---- runs ---------------------------------------------------------------------------------------
class RunCreate(BaseModel):
    nodes: list[str] | None = Field(default=None, max_length=2000)


class NodeError(BaseModel):
    code: str
    message: str


class NodeTimingsPublic(BaseModel):
    """Where a node's time went in the worker: the module, and what the runtime did around it."""

    module_ms: float = Field(description="Running the module itself.")
    inputs_ms: float = Field(description="Reading its input artefacts.")
    outputs_ms: float = Field(description="Storing its outputs.")
    charts_ms: float = Field(description="Precomputing its outputs' charts, past the time storing them took.")
    other_ms: float = Field(description="Everything else outside the module (setting up, cleaning up).")
    outside_ms: float = Field(description="Outside the module: inputs + outputs + charts + other.")
    total_ms: float = Field(description="module + outside: the node's duration in the worker.")


class NodeRunPublic(BaseModel):
    node_id: str
    module: str
    status: RunStatus
    cached: bool
    signature: str | None = Field(
        default=None,
        description="What the run cache matches (module, version, effective parameters, datasets, inputs); "
        "equal to the signature graph validation gives the node while the graph keeps it.",
    )
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: float | None
    progress: float
    error: NodeError | None
    outputs: dict[str, str] = Field(default_factory=dict, description="port id -> port type")
    timings: NodeTimingsPublic | None = Field(
        default=None,
        description="Where the node's time went in the worker; null when no worker ran it (reused output, "
        "cancelled before it started) or it ran before timings were recorded.",
    )


class RunPublic(BaseModel):
    id: int
    experiment_id: int
    experiment_version: int
    status: RunStatus
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    requested_nodes: list[str] | None = None
    error: str | None = None
    nodes: dict[str, NodeRunPublic]


# ---- sharing and publishing ---------------------------------------------------------------------
class ShareBody(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    role: Literal["viewer", "editor"]


class SharePublic(BaseModel):
    user: UserPublic
    role: str


class LinkPublic(BaseModel):
    token: str
    url: str


class PublishBody(BaseModel):
    title: str = Field(min_length=1, max_length=255)
    summary_markdown: str = Field(default="", max_length=50_000)
    tags: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        default_factory=list, max_length=20
    )


class GalleryEntry(BaseModel):
    id: int
    title: str
    tags: list[str]
    summary_markdown: str
    owner: UserPublic
    published_at: datetime
    experiment_name: str = ""


class PublicExperiment(BaseModel):
    """An experiment as anyone holding its link (or a gallery visitor) sees it: read-only."""

    id: int
    name: str
    description: str
    graph: Graph
    version: int
    owner: UserPublic
    updated_at: datetime
    my_role: str = "viewer"
    run: RunPublic | None = None
    output_summaries: dict[str, dict[str, dict[str, Any]]] = Field(default_factory=dict)
    datasets: dict[str, DatasetPublic] = Field(default_factory=dict, description="the datasets the nodes use")
    publication: GalleryEntry | None = None


# ---- scoring web services (docs/api.md, "Web services") ---------------------------------------------
class ServiceCreate(BaseModel):
    model_id: str = Field(min_length=1, max_length=36, description="A saved model the caller may read.")
    name: str = Field(min_length=1, max_length=255)
    append: bool = Field(
        default=False, description="Answers repeat the request's columns before the results."
    )


class ServiceUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=255)
    enabled: bool | None = Field(default=None, description="false: scoring and new batch jobs answer 403.")
    append: bool | None = None


class ServiceColumn(BaseModel):
    name: str
    type: Literal["number", "string", "boolean", "datetime"] = Field(
        description="What a request's cells in this column must be (datetime: ISO 8601 text)."
    )


class ServicePublic(BaseModel):
    id: str
    name: str
    model_id: str
    model_name: str
    append: bool
    enabled: bool
    score_url: str = Field(description="POST scoring requests here with `Authorization: Bearer <key>`.")
    batch_url: str
    primary_key_hint: str = Field(description="The key's first characters, to tell keys apart.")
    secondary_key_hint: str
    created_at: datetime
    input_columns: list[ServiceColumn] = Field(description="The columns a request must carry.")
    output_columns: list[str] = Field(
        description="The answer's columns for a request of just the input columns."
    )


class ServiceWithKeys(ServicePublic):
    """A service with its keys in full: both when it is created, only the new one when one is regenerated
    (the other is null). Keys are stored hashed and never shown again."""

    primary_key: str | None
    secondary_key: str | None


class ServiceUsageHour(BaseModel):
    hour: datetime = Field(description="The start of the UTC hour.")
    requests: int
    rows: int = Field(description="Rows scored by requests that succeeded.")
    errors: int = Field(description="Requests answered with a 4xx (other than 401) or 5xx.")
    p50_ms: float | None = Field(description="Median time to answer, in ms (within 2.5%).")
    p95_ms: float | None


class BatchFromDataset(BaseModel):
    dataset_id: str = Field(
        min_length=1, max_length=64, description="A dataset the service's owner may read, or a sample's id."
    )


class BatchJobPublic(BaseModel):
    id: str
    service_id: str
    status: RunStatus
    progress: float = Field(description="0 to 1.")
    source: Literal["upload", "dataset", "sample"]
    input_name: str = Field(description="The uploaded file's name, or the dataset's id.")
    submitted_by: Literal["key", "owner"]
    n_rows: int | None = Field(description="Rows in the result, once the job succeeded.")
    error: dict[str, str] | None = Field(description="`{code, message}` when the job failed.")
    result_url: str | None = Field(
        description="Where the result is, once the job succeeded: CSV, or Parquet with "
        "`Accept: application/vnd.apache.parquet` (or `?format=parquet`)."
    )
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
