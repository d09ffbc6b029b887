moved file
body a
body b
body c
body d
body e
