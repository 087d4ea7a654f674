${""[header.a]()[header.b](header.c)}
