<%@ taglib prefix="c" uri="http://java.sun.com/jsp/jstl/core" %>
<c:out value="${labels[param.key]}"/> ${fn:escapeXml(messages[param.lang])} ${cart.items[param.item].price}
<c:if test="${not empty header['User-Agent']}">ua</c:if>
