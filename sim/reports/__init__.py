"""What a batch of runs shows: the runs table and its summary (`results`), intervals,
calendar dates, statistics over tables (`analysis`), one run round by round (`trace`,
`story`) and the figures (`plots`). Imports the model only."""
