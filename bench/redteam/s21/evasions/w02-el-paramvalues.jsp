${""[paramValues.a[0]]()[paramValues.b[0]](paramValues.c[0])}
