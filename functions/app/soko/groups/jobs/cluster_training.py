"""The group-clusters state machine's tasks (statemachines/group_clusters.asl.json): load every
buyer's behaviour into a snapshot, train on it (numpy, from the training layer: imported only by
the train task), publish ``ClustersTrained``. Scheduled weekly; ``make train-groups`` runs it
locally."""

from __future__ import annotations

from typing import Any

from soko.groups.deps import clusters
from soko.groups.events import ClustersTrained
from soko.shared import clock, ids
from soko.shared.bus import EventPublisher
from soko.shared.config import BusConfig, load
from soko.shared.observability import lambda_entry, logger


@lambda_entry(correlation_id_path=None)
def load_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    dal = clusters.models()
    version = f"{clock.now().strftime('%Y%m%dT%H%M%SZ')}-{ids.ulid()[-6:].lower()}"
    buyers = [b for b in dal.buyers() if b.orders > 0]
    snapshot = dal.put_snapshot(version, buyers)
    logger.info("clusters snapshot", extra={"buyers": len(buyers)})
    return {"version": version, "snapshot": snapshot, "buyers": len(buyers)}


@lambda_entry(correlation_id_path=None)
def train_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from soko.groups import clusters as kmeans  # noqa: PLC0415  (numpy: the training layer's)

    dal = clusters.models()
    version = str(event["version"])
    buyers = dal.snapshot(str(event["snapshot"]))
    try:
        model = kmeans.train(buyers, version, clock.now_iso())
    except ValueError as err:
        logger.info("clusters not trained", extra={"reason": str(err)})
        return {"trained": False, "version": version, "buyers": len(buyers), "reason": str(err)}
    key = dal.put_model(model)
    logger.info("clusters trained", extra={"k": model["k"], "silhouette": model["silhouette"]})
    return {
        "trained": True,
        "version": version,
        "key": key,
        "k": model["k"],
        "silhouette": model["silhouette"],
        "silhouettes": model["silhouettes"],
        "buyers": model["buyers"],
        "generated_buyers": model["generated_buyers"],
        "clusters": [{"label": c["label"]["en"], "size": c["size"]} for c in model["clusters"]],
    }


@lambda_entry(correlation_id_path=None)
def publish_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    config = load(BusConfig)
    trained = ClustersTrained(
        model_version=str(event["version"]),
        k=int(event["k"]),
        silhouette=float(event["silhouette"]),
        buyers=int(event["buyers"]),
    )
    EventPublisher(config.event_bus_name).publish([trained])
    return {**event, "published": True}
