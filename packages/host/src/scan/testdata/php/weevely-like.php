<?php
// shaped like an agent that hides its function names with str_replace
$k = str_replace('q', '', 'cqrqeqatqe_fqunqctqion');
$b = str_replace('z', '', 'bzase6z4_dzeczode');
$f = $k('', $b('ZWNobyAiaGVsbG8iOw=='));
$f();
