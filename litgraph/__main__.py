from litgraph.cli import main

main()
