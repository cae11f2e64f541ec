from energieplanologie.cli import main

main()
