"""The model: the scenario (`config`), its parameters (`params`), the state of a batch of
runs (`state`), the rules of a round (`rules`, one module per phase), the mediator's
strategies (`strategies`), the random streams (`rng`), the step loop (`engine`) and the
Mesa shell (`shell`). Nothing here reads or writes files beyond the scenario."""
