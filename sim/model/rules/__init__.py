"""The rules of a round, one module per phase as docs/model.md §3 names them.

Each phase is a function `phase(state, ctx, t, ...) -> events` over the runs of a
`sim.model.state.RunState`: it reads and writes the state's groups and returns what happened
(`sim.model.rules.events`). Which runs a phase sees is decided by `sim.model.engine`, never here.
"""
