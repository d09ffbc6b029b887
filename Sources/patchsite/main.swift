import PatchsiteCLI

Patchsite.main()
