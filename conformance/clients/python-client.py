#!/usr/bin/python3
"""Drives a running Skiff with Debian's python3-kubernetes, the official Python client.

Usage: /usr/bin/python3 python-client.py KUBECONFIG NAMESPACE

Creates NAMESPACE, lists its ConfigMaps, then watches them with watch.Watch().stream from the list's
resourceVersion while a second thread creates, replaces and deletes one ConfigMap, and tries a replace with
a stale resourceVersion. Prints one JSON summary on stdout for conformance/clients.test.ts to assert on; any
unexpected error is a traceback on stderr and a non-zero exit.
"""

import json
import sys
import threading

import kubernetes
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

NAME = "py-settings"


def config_map(namespace, data, resource_version=None):
    return client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name=NAME, namespace=namespace, resource_version=resource_version),
        data=data,
    )


def write(api, namespace, results):
    """The changes the watch must see, in this order; what each returned goes into results."""
    try:
        created = api.create_namespaced_config_map(namespace, config_map(namespace, {"mode": "fast"}))
        results["created"] = created.metadata.resource_version
        replaced = api.replace_namespaced_config_map(
            NAME, namespace, config_map(namespace, {"mode": "slow"}, created.metadata.resource_version)
        )
        results["replaced"] = replaced.metadata.resource_version
        try:
            # The resourceVersion the object had before the replace: the server must refuse it.
            api.replace_namespaced_config_map(
                NAME, namespace, config_map(namespace, {"mode": "stale"}, created.metadata.resource_version)
            )
            results["staleReplace"] = {"status": 200}
        except ApiException as error:
            body = json.loads(error.body) if error.body else {}
            results["staleReplace"] = {"status": error.status, "reason": body.get("reason")}
        deleted = api.delete_namespaced_config_map(NAME, namespace)
        results["deleted"] = {"kind": deleted.kind, "status": deleted.status}
    except Exception as error:  # reported in the summary, so the watch below is not left waiting in silence
        results["writeError"] = repr(error)


def main():
    kubeconfig, namespace = sys.argv[1], sys.argv[2]
    config.load_kube_config(config_file=kubeconfig)
    api = client.CoreV1Api(client.ApiClient())
    api.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=namespace)))

    listed = api.list_namespaced_config_map(namespace)
    list_resource_version = listed.metadata.resource_version

    results = {}
    # The writer has its own ApiClient (its own connection pool) so it never waits on the watch's connection.
    writer = threading.Thread(target=write, args=(client.CoreV1Api(client.ApiClient()), namespace, results))
    writer.start()

    events = []
    stream = watch.Watch()
    # Watching from the list's resourceVersion replays whatever the writer did before the watch began, so
    # there is no race. timeout_seconds bounds the wait (and turns off the client's silent retries).
    for event in stream.stream(
        api.list_namespaced_config_map, namespace, resource_version=list_resource_version, timeout_seconds=15
    ):
        obj = event["object"]
        events.append(
            {
                "type": event["type"],
                "name": obj.metadata.name,
                "resourceVersion": obj.metadata.resource_version,
                "data": obj.data,
            }
        )
        if event["type"] == "DELETED" and obj.metadata.name == NAME:
            stream.stop()
    writer.join(timeout=15)

    after_delete = api.list_namespaced_config_map(namespace)
    api.delete_namespace(namespace)
    print(
        json.dumps(
            {
                "client": kubernetes.__version__,
                "listResourceVersion": list_resource_version,
                "listAfterDeleteResourceVersion": after_delete.metadata.resource_version,
                "itemsAfterDelete": len(after_delete.items),
                "events": events,
                **results,
            }
        )
    )


if __name__ == "__main__":
    main()
