from llmprof.cli import main

main()
