"""corridor.analysis"""

from __future__ import annotations

from typing import Any


def clear_caches(*, networks: bool = False) -> None:
    """Forget the results cached per situation (open chains, fastest-time search, cheapest
    flow), and with ``networks=True`` what is built once per network, origin and exits too (the
    chains of the whole network, its CSR graphs and flow graph, the bounds from the origin and
    to the exits).

    Benchmarks call it so that a repeated measurement is not served from memory.
    """
    from corridor.analysis import chains, contract, flows, routes

    caches: list[Any] = [chains.chains, chains.open_chains, flows.situation_flow]
    caches.append(routes._base_search)
    if networks:
        caches += [chains._network_chains, chains._chain_graph, routes._bound_for]
        caches.append(contract._flow_graph_for)
        caches.append(flows._exit_hours_for)
    for fn in caches:
        fn.cache_clear()
