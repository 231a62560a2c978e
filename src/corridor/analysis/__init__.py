"""corridor.analysis"""

from __future__ import annotations


def clear_caches(*, networks: bool = False) -> None:
    """Forget the results cached per situation (chains, flow graph, fastest-time search,
    cheapest flow), and with ``networks=True`` the chains built once per network too.

    Benchmarks call it so that a repeated measurement is not served from memory.
    """
    from corridor.analysis import chains, contract, flows, routes

    for fn in (chains.chains, contract.flow_graph, flows.situation_flow, routes._base_search):
        fn.cache_clear()
    if networks:
        chains._network_chains.cache_clear()
