from litgraph.cli.main import main

main()
