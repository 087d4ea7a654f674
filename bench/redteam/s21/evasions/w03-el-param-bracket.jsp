${""[param['a']]()[param['b']](param['c'])}
