"""The browser app (`negsim app`): a strategy lab and one war, round by round.

    logic.py     what the pages do, without Solara: scenarios, assumption sliders,
                 overrides, the lab's runs and their tables, one run replayed
    one_war.py   the One-war page: Mesa's SolaraViz over a traced `NegotiationModel`
    pages.py     the Solara pages and their routes (what `solara run` serves)
    serve.py     the server behind `negsim app`, on 127.0.0.1

Solara and its companions are an optional extra (`pip install -e ".[app]"`): nothing here
is imported by the command line until `negsim app` runs, and only pages.py and one_war.py
import Solara, so logic.py is tested without it.
"""
