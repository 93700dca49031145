from aidhub.cli import main

main()
